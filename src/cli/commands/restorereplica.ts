import type { CommandSpec } from '../command';
import { restorereplica as restore } from '../../engine/sync/epochs';
import { engineContext, operands, requireValue } from './engineContext';

const usage = 'restorereplica -invob TAG';

export const restorereplica: CommandSpec = {
  name: 'restorereplica',
  usage,
  options: [{ name: 'invob', kind: 'value' }],
  async run(ctx, args) {
    operands(args, 0, 0, usage, '');
    const tag = requireValue(args, 'invob', usage);
    const r = await restore(engineContext(ctx), { tag });
    ctx.out(`Replica "${r.replica}" now has incarnation ${r.incarnation} (was ${r.previous}).`);
    if (r.waitingFor.length) {
      ctx.out(`It is recovering: export to ${r.waitingFor.map((w) => `"${w}"`).join(', ')} so they learn the new incarnation, then import their updates;`);
      ctx.out('until every sibling has sent one, only syncreplica -import may change this replica.');
    }
  },
};
