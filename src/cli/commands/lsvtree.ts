import type { CommandSpec } from '../command';
import { lsvtree as listTree } from '../../engine/vob/content';
import { engineContext, operands, requireValue } from './engineContext';

const usage = 'lsvtree -invob TAG PATH';

export const lsvtree: CommandSpec = {
  name: 'lsvtree',
  usage,
  options: [{ name: 'invob', kind: 'value' }],
  async run(ctx, args) {
    const [p] = operands(args, 1, 1, usage, 'element pathname');
    const tag = requireValue(args, 'invob', usage);
    for (const line of await listTree(engineContext(ctx), { tag, path: p })) ctx.out(line);
  },
};
