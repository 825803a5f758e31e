import type { CommandContext, CommandSpec } from '../command';
import { exclusive, oneOf, type ParsedArgs } from '../args';
import { UsageError } from '../../engine/errors';
import { parseSizeOption } from '../../engine/size';
import { mkreplicaExport, mkreplicaImport } from '../../engine/sync/mkreplica';
import { engineContext, requireValue, resolveOutPath, resolvePath } from './engineContext';

const usage = 'mkreplica -export -workdir DIR [-maxsize S] [-c C] -out PKT HOST:REPLICA@TAG | mkreplica -import -workdir DIR -tag TAG [-vob DIR] PKT...';

async function runExport(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  const given = exclusive(args, ['ship', 'fship', 'out']);
  if (given === 'ship' || given === 'fship') {
    throw new UsageError(`Option "-${given}" needs store-and-forward shipping, which is not part of this command yet: write the packet with -out and ship it yourself.`, usage);
  }
  const out = requireValue(args, 'out', usage);
  const workdir = requireValue(args, 'workdir', usage);
  if (args.operands.length !== 1) throw new UsageError(args.operands.length ? 'Give one new replica (HOST:REPLICA@TAG).' : 'Missing new replica (HOST:REPLICA@TAG).', usage);
  for (const o of ['tag', 'vob']) if (args.values.has(o)) throw new UsageError(`Option "-${o}" is for -import.`, usage);
  for (const o of ['sclass', 'pexpire']) if (args.values.has(o)) throw new UsageError(`Option "-${o}" goes with -ship or -fship, not -out.`, usage);
  const maxText = args.values.get('maxsize');
  const r = await mkreplicaExport(engineContext(ctx), {
    target: args.operands[0],
    workdir: resolvePath(ctx, workdir),
    out: resolveOutPath(ctx, out),
    maxBytes: maxText === undefined ? undefined : parseSizeOption('-maxsize', maxText),
    comment: args.values.get('c'),
    onWarning: (t) => ctx.warn(t),
  });
  for (const p of r.packets) ctx.out(`Generating replica creation packet ${p.path}`);
  ctx.out(`Created replica object "${r.replica}" for host "${r.host}"; import the packet there with "multitool mkreplica -import".`);
}

async function runImport(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  for (const o of ['out', 'maxsize', 'sclass', 'pexpire']) if (args.values.has(o)) throw new UsageError(`Option "-${o}" is for -export.`, usage);
  for (const o of ['ship', 'fship']) if (args.flags.has(o)) throw new UsageError(`Option "-${o}" is for -export.`, usage);
  const workdir = requireValue(args, 'workdir', usage);
  const tag = requireValue(args, 'tag', usage);
  if (args.operands.length === 0) throw new UsageError('Missing replica-creation packet.', usage);
  const vob = args.values.get('vob');
  const r = await mkreplicaImport(engineContext(ctx), {
    packets: args.operands.map((p) => resolvePath(ctx, p)),
    workdir: resolvePath(ctx, workdir),
    tag,
    vobDir: vob !== undefined ? resolvePath(ctx, vob) : undefined,
  });
  ctx.out(`Created replica "${r.replica}" of VOB "${r.tag}" at ${r.dir} (${r.ops} oplog entries).`);
}

export const mkreplica: CommandSpec = {
  name: 'mkreplica',
  usage,
  options: [
    { name: 'export', kind: 'flag' },
    { name: 'import', kind: 'flag' },
    { name: 'workdir', kind: 'value' },
    { name: 'maxsize', kind: 'value' },
    { name: 'out', kind: 'value' },
    { name: 'ship', kind: 'flag' },
    { name: 'fship', kind: 'flag' },
    { name: 'sclass', kind: 'value' },
    { name: 'pexpire', kind: 'value' },
    { name: 'c', kind: 'value' },
    { name: 'tag', kind: 'value' },
    { name: 'vob', kind: 'value' },
  ],
  async run(ctx, args) {
    const mode = oneOf(args, ['export', 'import']);
    if (mode === 'export') await runExport(ctx, args);
    else await runImport(ctx, args);
  },
};
