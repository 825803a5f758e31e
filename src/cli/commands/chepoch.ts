import type { CommandSpec } from '../command';
import { UsageError } from '../../engine/errors';
import { chepoch as changeEpoch, chepochActual } from '../../engine/sync/epochs';
import { engineContext } from './engineContext';

const usage = 'chepoch [-force] REPLICA@TAG ORIGIN=N... | chepoch -actual REPLICA@TAG...';

export const chepoch: CommandSpec = {
  name: 'chepoch',
  usage,
  options: [
    { name: 'force', kind: 'flag' },
    { name: 'actual', kind: 'flag' },
  ],
  async run(ctx, args) {
    if (args.flags.has('actual')) {
      if (args.flags.has('force')) throw new UsageError('Options -actual and -force cannot be used together.', usage);
      if (args.operands.length === 0) throw new UsageError('Missing sibling replica (REPLICA@VOB-TAG).', usage);
      const r = await chepochActual(engineContext(ctx), { replicas: args.operands });
      for (const row of r.rows) {
        for (const c of row.changes) ctx.out(`Entry for ${c.origin} changed from: ${c.from} to ${c.to}`);
        ctx.out(`Epoch row for "${row.replica}" ${row.changes.length ? 'successfully set' : 'already actual'}.`);
      }
      for (const u of r.unreachable) ctx.err(`${ctx.program}: Error: ${u.reason}`);
      return r.unreachable.length ? 1 : 0;
    }
    const [replica, ...values] = args.operands;
    if (!replica) throw new UsageError('Missing replica (REPLICA@VOB-TAG).', usage);
    if (values.length === 0) throw new UsageError('Missing ORIGIN=N.', usage);
    const r = await changeEpoch(engineContext(ctx), { replica, values, force: args.flags.has('force') });
    for (const c of r.changes) ctx.out(`Entry for ${c.origin} changed from: ${c.from} to ${c.to}`);
    ctx.out('Epoch row successfully set.');
    return 0;
  },
};
