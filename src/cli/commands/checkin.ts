import type { CommandSpec } from '../command';
import { checkin as checkIn } from '../../engine/vob/content';
import { engineContext, operands, requireValue, resolvePath } from './engineContext';

const usage = 'checkin -invob TAG -from FILE [-c C] [-branch BRTYPE] [-identical] PATH';

export const checkin: CommandSpec = {
  name: 'checkin',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
    { name: 'from', kind: 'value' },
    { name: 'c', kind: 'value' },
    { name: 'branch', kind: 'value' },
    { name: 'identical', kind: 'flag' },
  ],
  async run(ctx, args) {
    const [p] = operands(args, 1, 1, usage, 'element pathname');
    const tag = requireValue(args, 'invob', usage);
    const from = resolvePath(ctx, requireValue(args, 'from', usage));
    const r = await checkIn(engineContext(ctx), { tag, path: p, from, comment: args.values.get('c'), branch: args.values.get('branch'), identical: args.flags.has('identical') });
    ctx.out(`Checked in "${r.path}" version "${r.version}".`);
  },
};
