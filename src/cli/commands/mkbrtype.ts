import type { CommandSpec } from '../command';
import { mktype } from '../../engine/vob/content';
import { engineContext, operands, requireValue } from './engineContext';

const usage = 'mkbrtype -invob TAG [-c C] NAME';

export const mkbrtype: CommandSpec = {
  name: 'mkbrtype',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
    { name: 'c', kind: 'value' },
  ],
  async run(ctx, args) {
    const [name] = operands(args, 1, 1, usage, 'branch type name');
    const tag = requireValue(args, 'invob', usage);
    await mktype(engineContext(ctx), { tag, kind: 'brtype', name, comment: args.values.get('c') });
    ctx.out(`Created branch type "${name}".`);
  },
};
