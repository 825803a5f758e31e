import type { CommandSpec } from '../command';
import { listReplicas } from '../../engine/sync/listing';
import { engineContext, operands } from './engineContext';

const usage = 'lsreplica [-long] [-invob TAG]';

export const lsreplica: CommandSpec = {
  name: 'lsreplica',
  usage,
  options: [
    { name: 'long', kind: 'flag' },
    { name: 'invob', kind: 'value' },
  ],
  async run(ctx, args) {
    operands(args, 0, 0, usage, '');
    const vobs = await listReplicas(engineContext(ctx), args.values.get('invob'));
    if (vobs.length === 0) ctx.out('No VOBs are registered on this host.');
    for (const v of vobs) {
      ctx.out(`For VOB replica "${v.tag}":`);
      for (const r of v.replicas) {
        if (!args.flags.has('long')) {
          ctx.out(`replica "${r.name}"${r.self ? ' (this replica)' : ''}`);
          continue;
        }
        ctx.out(`replica "${r.name}"`);
        ctx.out(`  replica oid: ${r.oid}`);
        ctx.out(`  master replica: ${r.master}`);
        ctx.out(`  replica host: ${r.host}`);
        ctx.out(`  incarnation: ${r.incarnation}${r.self ? '' : ' (as last heard)'}`);
        ctx.out(`  oplog entries originated: ${r.epoch}`);
        if (r.self && v.recovering) {
          ctx.out(`  replica is recovering: expected to receive a recovery update from ${v.recovering.waitingFor.map((w) => `"${w}"`).join(', ')}`);
        }
        if (!r.self) {
          const last = v.lastExports.find((e) => e.target === r.name);
          ctx.out(`  last export to it: ${last ? last.at : 'none'}`);
        }
      }
    }
  },
};
