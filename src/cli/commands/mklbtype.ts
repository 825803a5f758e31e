import type { CommandSpec } from '../command';
import { mktype } from '../../engine/vob/content';
import { engineContext, operands, requireValue } from './engineContext';

const usage = 'mklbtype -invob TAG [-c C] NAME';

export const mklbtype: CommandSpec = {
  name: 'mklbtype',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
    { name: 'c', kind: 'value' },
  ],
  async run(ctx, args) {
    const [name] = operands(args, 1, 1, usage, 'label type name');
    const tag = requireValue(args, 'invob', usage);
    await mktype(engineContext(ctx), { tag, kind: 'lbtype', name, comment: args.values.get('c') });
    ctx.out(`Created label type "${name}".`);
  },
};
