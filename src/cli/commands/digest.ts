import type { CommandSpec } from '../command';
import { digest as digestVob } from '../../engine/vob/content';
import { engineContext, operands, requireValue } from './engineContext';

const usage = 'digest -invob TAG';

export const digest: CommandSpec = {
  name: 'digest',
  usage,
  options: [{ name: 'invob', kind: 'value' }],
  async run(ctx, args) {
    operands(args, 0, 0, usage, '');
    const tag = requireValue(args, 'invob', usage);
    ctx.out(await digestVob(engineContext(ctx), { tag }));
  },
};
