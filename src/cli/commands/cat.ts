import * as fs from 'fs';
import * as path from 'path';
import { pipeline } from 'stream/promises';
import { StringDecoder } from 'string_decoder';
import type { CommandSpec } from '../command';
import { catVersion } from '../../engine/vob/content';
import { MultiSiteError } from '../../engine/errors';
import { engineContext, operands, requireValue, resolvePath } from './engineContext';

const usage = 'cat -invob TAG [-to FILE] PATH@@/BRANCH/N';

/** -to names a place the user chose: these are mistakes in it, not bugs (full disk etc. are reported by run.ts). */
const WRITE_PROBLEMS: Record<string, string> = {
  EISDIR: 'it is a directory',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

export const cat: CommandSpec = {
  name: 'cat',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
    { name: 'to', kind: 'value' },
  ],
  async run(ctx, args) {
    const [version] = operands(args, 1, 1, usage, 'version (PATH@@/BRANCH/N)');
    const tag = requireValue(args, 'invob', usage);
    const stream = await catVersion(engineContext(ctx), { tag, version });
    const to = args.values.get('to');
    if (to !== undefined) {
      // Exact bytes, streamed: the line-oriented output below cannot say "no final newline".
      try {
        await writeWhole(stream, resolvePath(ctx, to));
      } catch (e) {
        const why = WRITE_PROBLEMS[(e as NodeJS.ErrnoException).code ?? ''];
        if (why) throw new MultiSiteError(`Cannot write "${to}": ${why}.`);
        throw e;
      }
      return;
    }
    const dec = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of stream) {
      const lines = (rest + dec.write(chunk as Buffer)).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) ctx.out(l);
    }
    rest += dec.end();
    if (rest) ctx.out(rest);
  },
};

/**
 * Writes the version to a temporary file beside the target and renames it over the target only
 * once every byte is there: content found damaged half way (or a full disk) leaves no partial
 * file, and an existing file as it was. Through a symbolic link, the file it leads to is replaced.
 * Only regular files: anything else is written to as it is.
 */
async function writeWhole(stream: NodeJS.ReadableStream, file: string): Promise<void> {
  const dest = destination(file);
  const st = statOrNone(dest);
  // A device, a pipe, a socket (/dev/stdout, a FIFO a script reads) or a directory (refused by
  // the write) is written to, never replaced: renaming over /dev/full as root would put a plain
  // file in its place.
  if (st && !st.isFile()) {
    await pipeline(stream, fs.createWriteStream(dest));
    return;
  }
  const temp = path.join(path.dirname(dest), `.${path.basename(dest)}.cat-${process.pid}.tmp`);
  try {
    await pipeline(stream, fs.createWriteStream(temp, { flags: 'wx', mode: st ? st.mode & 0o7777 : undefined }));
    fs.renameSync(temp, dest);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}

function statOrNone(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The file a write to `file` lands on: through symbolic links, even one to a file not yet made. */
function destination(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let link: string;
  try {
    link = fs.readlinkSync(file);
  } catch {
    return file;
  }
  return path.resolve(path.dirname(file), link);
}
