import type { CommandContext, CommandSpec } from '../command';
import { exclusive, oneOf, type ParsedArgs } from '../args';
import { UsageError } from '../../engine/errors';
import { parseSizeOption } from '../../engine/size';
import { exportSync } from '../../engine/sync/export';
import { importSync, type ImportEvent } from '../../engine/sync/import';
import { engineContext, resolveOutPath, resolvePath } from './engineContext';
import { configuredClasses, loadShippingConf } from '../../engine/conf';
import { oneLine } from '../../engine/oneLine';

const usage =
  'syncreplica -export [-maxsize S] [-c C] [-compress] -out PKT REPLICA@TAG... | syncreplica -import [-receive [-sclass C] | PKT-OR-DIR...] [-invob TAG]';

/** -ship/-fship hand packets to the shipping server (store-and-forward), which this command does not start. */
function refuseShipping(args: ParsedArgs): void {
  const given = exclusive(args, ['ship', 'fship', 'out']);
  if (given === 'ship' || given === 'fship') {
    throw new UsageError(`Option "-${given}" needs store-and-forward shipping, which is not part of this command yet: write the packet with -out and ship it yourself.`, usage);
  }
}

async function runExport(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  refuseShipping(args);
  if (!args.values.has('out')) throw new UsageError('syncreplica -export needs -out PKT (a packet file name or a directory).', usage);
  if (args.operands.length === 0) throw new UsageError('Missing target replica (REPLICA@VOB-TAG).', usage);
  for (const o of ['receive', 'invob']) if (args.flags.has(o) || args.values.has(o)) throw new UsageError(`Option "-${o}" is for -import.`, usage);
  for (const o of ['sclass', 'pexpire']) if (args.values.has(o)) throw new UsageError(`Option "-${o}" goes with -ship or -fship, not -out.`, usage);
  const maxText = args.values.get('maxsize');
  const maxBytes = maxText === undefined ? undefined : parseSizeOption('-maxsize', maxText);
  await exportSync(engineContext(ctx), {
    targets: args.operands,
    out: resolveOutPath(ctx, args.values.get('out') as string),
    maxBytes,
    comment: args.values.get('c'),
    compress: args.flags.has('compress'),
    onWarning: (t) => ctx.warn(t),
    onPacket: (p) => ctx.out(`Generating synchronization packet ${oneLine(p.path)}`),
  });
  return 0;
}

export function printImportEvent(ctx: CommandContext, e: ImportEvent): void {
  switch (e.type) {
    case 'applied':
      ctx.out(`Applied sync. packet ${oneLine(e.packet)} to VOB ${oneLine(e.dir)}`);
      // As the original says when it applies the last update a restored replica waited for.
      if (e.restored) ctx.out(`Restoration of replica "${oneLine(e.restored)}" is complete: every sibling it waited for has sent its update, and the replica may be changed again.`);
      break;
    case 'already':
      ctx.out(`Sync. packet ${oneLine(e.packet)} was already applied to VOB ${oneLine(e.dir)}`);
      break;
    case 'skipped':
      ctx.warn(`${e.reason[0].toUpperCase()}${e.reason.slice(1)}; skipped.`);
      break;
    case 'pending':
      ctx.err(`${ctx.program}: Error: Sync. packet ${e.packet} was not applied to VOB ${e.dir} - packet depends on changes not yet received`);
      ctx.err(`${ctx.program}: Error: ${e.error.message}`);
      break;
    case 'quarantined':
      ctx.err(`${ctx.program}: Error: ${e.reason.replace(/\.$/, '')}; the packet was moved to ${e.to}.`);
      break;
    case 'failed':
      ctx.err(`${ctx.program}: Error: ${e.error.message}`);
      break;
    case 'removed':
      break;
  }
}

async function runImport(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  for (const o of ['maxsize', 'out', 'c', 'pexpire']) if (args.values.has(o)) throw new UsageError(`Option "-${o}" is for -export.`, usage);
  for (const o of ['compress', 'ship', 'fship']) if (args.flags.has(o)) throw new UsageError(`Option "-${o}" is for -export.`, usage);
  const receive = args.flags.has('receive');
  if (receive && args.operands.length > 0) throw new UsageError('Give either -receive or packet files and directories, not both.', usage);
  if (!receive && args.operands.length === 0) throw new UsageError('Missing packet: give packet files or directories, or -receive.', usage);
  if (args.values.has('sclass') && !receive) throw new UsageError('Option "-sclass" goes with -receive.', usage);
  const sclass = args.values.get('sclass');
  if (sclass !== undefined && !configuredClasses(loadShippingConf(ctx.home)).includes(sclass)) {
    // As the seed says, an unconfigured class means the -default class; say so, since a typo
    // would otherwise quietly import from the default bays.
    ctx.warn(`Storage class "${sclass}" is not configured in shipping.conf: receiving from the bays of class -default.`);
  }
  const result = await importSync(engineContext(ctx), {
    sources: args.operands.map((o) => resolvePath(ctx, o)),
    receive,
    sclass: args.values.get('sclass'),
    tag: args.values.get('invob'),
    onEvent: (e) => printImportEvent(ctx, e),
  });
  if (receive && result.events.length === 0) ctx.out('No packets to import in the incoming storage bays.');
  return result.ok ? 0 : 1;
}

export const syncreplica: CommandSpec = {
  name: 'syncreplica',
  usage,
  options: [
    { name: 'export', kind: 'flag' },
    { name: 'import', kind: 'flag' },
    { name: 'maxsize', kind: 'value' },
    { name: 'c', kind: 'value' },
    { name: 'compress', kind: 'flag' },
    { name: 'out', kind: 'value' },
    { name: 'ship', kind: 'flag' },
    { name: 'fship', kind: 'flag' },
    { name: 'sclass', kind: 'value' },
    { name: 'pexpire', kind: 'value' },
    { name: 'receive', kind: 'flag' },
    { name: 'invob', kind: 'value' },
  ],
  async run(ctx, args) {
    const mode = oneOf(args, ['export', 'import']);
    return mode === 'export' ? runExport(ctx, args) : runImport(ctx, args);
  },
};
