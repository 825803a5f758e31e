import type { CommandSpec } from '../command';
import { mkelem as makeElement } from '../../engine/vob/content';
import { engineContext, operands, requireValue, resolvePath } from './engineContext';

const usage = 'mkelem -invob TAG [-c C] [-from FILE] PATH';

export const mkelem: CommandSpec = {
  name: 'mkelem',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
    { name: 'c', kind: 'value' },
    { name: 'from', kind: 'value' },
  ],
  async run(ctx, args) {
    const [p] = operands(args, 1, 1, usage, 'element pathname');
    const tag = requireValue(args, 'invob', usage);
    const from = args.values.get('from');
    const r = await makeElement(engineContext(ctx), { tag, path: p, from: from !== undefined ? resolvePath(ctx, from) : undefined, comment: args.values.get('c') });
    ctx.out(`Created element "${r.path}".`);
    if (r.version) ctx.out(`Checked in "${r.path}" version "${r.version}".`);
  },
};
