import type { CommandSpec } from '../command';
import { restorereplica as restore } from '../../engine/sync/epochs';
import { engineContext, requireValue } from './engineContext';

const usage = 'restorereplica -invob TAG [REPLICA...]';

export const restorereplica: CommandSpec = {
  name: 'restorereplica',
  usage,
  options: [{ name: 'invob', kind: 'value' }],
  async run(ctx, args) {
    const tag = requireValue(args, 'invob', usage);
    const r = await restore(engineContext(ctx), { tag, from: args.operands });
    ctx.out(`Replica "${r.replica}" now has incarnation ${r.incarnation} (was ${r.previous}).`);
    if (r.waitingFor.length) {
      ctx.out(`It is recovering: export to ${r.waitingFor.map((w) => `"${w}"`).join(', ')} so they learn the new incarnation, then import their updates;`);
      ctx.out(`until ${args.operands.length ? 'each of them' : 'every sibling'} has sent one, only syncreplica -import may change this replica.`);
    }
  },
};
