import type { CommandSpec } from '../command';
import { mklabel as makeLabel } from '../../engine/vob/content';
import { engineContext, operands, requireValue } from './engineContext';

const usage = 'mklabel -invob TAG [-replace] LBTYPE PATH@@/BRANCH/N';

export const mklabel: CommandSpec = {
  name: 'mklabel',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
    { name: 'replace', kind: 'flag' },
  ],
  async run(ctx, args) {
    const [lbtype, version] = operands(args, 2, 2, usage, 'label type and version');
    const tag = requireValue(args, 'invob', usage);
    const r = await makeLabel(engineContext(ctx), { tag, lbtype, version, replace: args.flags.has('replace') });
    if (r.already) ctx.out(`Label "${r.lbtype}" is already on "${r.path}" version "${r.version}".`);
    else if (r.movedFrom) ctx.out(`Moved label "${r.lbtype}" on "${r.path}" from version "${r.movedFrom}" to "${r.version}".`);
    else ctx.out(`Created label "${r.lbtype}" on "${r.path}" version "${r.version}".`);
  },
};
