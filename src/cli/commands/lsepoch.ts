import type { CommandSpec } from '../command';
import { UsageError } from '../../engine/errors';
import { listReplicas } from '../../engine/sync/listing';
import { parseReplicaSelector } from '../../engine/sync/selector';
import { ReplicaNotFoundError } from '../../engine/sync/errors';
import { engineContext, operands } from './engineContext';

const usage = 'lsepoch [-invob TAG] [REPLICA@TAG | -invob TAG REPLICA]';

export const lsepoch: CommandSpec = {
  name: 'lsepoch',
  usage,
  options: [{ name: 'invob', kind: 'value' }],
  async run(ctx, args) {
    const ops = operands(args, 0, 1, usage, '');
    const invob = args.values.get('invob');
    // A bare replica name is taken in the VOB of -invob.
    const sel = ops[0] === undefined ? undefined : !ops[0].includes('@') && invob !== undefined ? { name: ops[0].replace(/^replica:/, ''), tag: invob } : parseReplicaSelector(ops[0]);
    if (sel && invob !== undefined && invob !== sel.tag) throw new UsageError(`Replica "${ops[0]}" is not in VOB "${invob}".`, usage);
    const vobs = await listReplicas(engineContext(ctx), sel?.tag ?? invob);
    for (const v of vobs) {
      const rows = sel ? v.replicas.filter((r) => r.name === sel.name) : v.replicas;
      if (sel && rows.length === 0) throw new ReplicaNotFoundError(sel.name, sel.tag);
      ctx.out(`For VOB replica "${v.tag}":`);
      const columns = [...v.replicas].sort((a, b) => a.name.localeCompare(b.name));
      for (const r of rows) {
        ctx.out(`Oplog IDs for row "${r.name}" (@ ${r.host}):`);
        for (const c of columns) {
          const left = ` oid:${c.oid}=${r.row[c.oid] ?? 0}`;
          ctx.out(`${left.padEnd(52)} (${c.name})`);
        }
      }
    }
  },
};
