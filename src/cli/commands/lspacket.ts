import * as fs from 'fs';
import * as path from 'path';
import { exclusive, type ParsedArgs } from '../args';
import type { CommandContext, CommandSpec } from '../command';
import { loadShippingConf } from '../../engine/conf';
import { MultiSiteError } from '../../engine/errors';
import { HostNotConfiguredError } from '../../engine/host/errors';
import { localView } from '../../engine/host/localView';
import { resolvePath } from './engineContext';
import { defaultBayDirs, formatPacket, packetFilesIn, readHeaders, type FormatOptions, type ListingFormat } from '../../engine/packet';

/**
 * `multitool lspacket [-long [-endrange] | -short] [PKT-OR-DIR...]`: reads packet headers only,
 * so listing thousands of packets stays fast. With no operand, every storage and return bay of
 * the host. A file that is not a readable packet is reported on its own line and the listing
 * goes on; the exit status is then 1.
 */
export const lspacket: CommandSpec = {
  name: 'lspacket',
  usage: 'lspacket [-long [-endrange] | -short] [PKT-OR-DIR...]',
  options: [
    { name: 'long', kind: 'flag' },
    { name: 'short', kind: 'flag' },
    { name: 'endrange', kind: 'flag' },
  ],
  async run(ctx: CommandContext, args: ParsedArgs): Promise<number> {
    const chosen = exclusive(args, ['long', 'short']);
    const format: ListingFormat = chosen === 'long' ? 'long' : chosen === 'short' ? 'short' : 'default';
    if (args.flags.has('endrange') && format !== 'long') throw new MultiSiteError('Option -endrange requires -long.');
    const opts: FormatOptions = { format, endrange: args.flags.has('endrange'), ...localView(ctx.home) };
    let failures = 0;
    const fail = (text: string): void => {
      failures++;
      ctx.err(`${ctx.program}: Error: ${text}`);
    };
    const files: string[] = [];
    if (args.operands.length === 0) {
      // A mistyped MULTISITE_HOME would otherwise look like a host whose bays are empty.
      if (!fs.existsSync(ctx.home)) throw new HostNotConfiguredError(ctx.home, 'the directory does not exist');
      for (const dir of bayDirs(ctx)) if (isDir(dir)) listDir(dir, files, fail);
    } else {
      for (const operand of args.operands) {
        const p = resolvePath(ctx, operand);
        let st: fs.Stats;
        try {
          st = fs.statSync(p);
        } catch (e) {
          fail(`Unable to access "${operand}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}.`);
          continue;
        }
        if (st.isDirectory()) listDir(p, files, fail);
        else files.push(p);
      }
    }
    // Lines go out in blocks of about 64 KB: a process writes stdout synchronously to a pipe,
    // and one write per line made listing thousands of packets several times slower.
    let block: string[] = [];
    let blockBytes = 0;
    const flush = (): void => {
      if (block.length > 0) ctx.out(block.join('\n'));
      block = [];
      blockBytes = 0;
    };
    for (const item of readHeaders(files)) {
      if (item.header) {
        for (const line of formatPacket(item.file, item.header, opts)) {
          block.push(line);
          blockBytes += line.length + 1;
        }
        if (blockBytes >= 64 * 1024) flush();
      } else if (item.error instanceof MultiSiteError) {
        flush();
        fail(item.error.message);
      } else throw item.error;
    }
    flush();
    return failures > 0 ? 1 : 0;
  },
};

function listDir(dir: string, files: string[], fail: (text: string) => void): void {
  try {
    files.push(...packetFilesIn(dir));
  } catch (e) {
    fail(`Unable to read directory "${dir}": ${(e as Error).message}.`);
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Incoming and outgoing of every bay shipping.conf names, plus the home's default bays. */
function bayDirs(ctx: CommandContext): string[] {
  const dirs = defaultBayDirs(ctx.home);
  try {
    const conf = loadShippingConf(ctx.home);
    for (const c of conf.classes.values()) {
      for (const bay of [...c.storageBays, ...c.returnBays]) for (const side of ['incoming', 'outgoing']) dirs.push(path.join(bay, side));
    }
  } catch (e) {
    ctx.warn(`Cannot read shipping.conf (${(e as Error).message}); listing the default bays only.`);
  }
  return [...new Set(dirs.map((d) => path.resolve(d)))];
}

