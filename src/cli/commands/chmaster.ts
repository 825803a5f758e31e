import type { CommandSpec } from '../command';
import { chmaster as changeMaster } from '../../engine/vob/content';
import { engineContext, operands, requireValue } from './engineContext';

const usage = 'chmaster -invob TAG REPLICA (brtype:NAME | lbtype:NAME | PATH@@/BRANCH)';

export const chmaster: CommandSpec = {
  name: 'chmaster',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
  ],
  async run(ctx, args) {
    const [to, object] = operands(args, 2, 2, usage, 'replica and object');
    const tag = requireValue(args, 'invob', usage);
    const r = await changeMaster(engineContext(ctx), { tag, to, object });
    if (r.already) ctx.out(`Master replica of ${r.object} is already "${r.to}".`);
    else ctx.out(`Changed mastership of ${r.object} to "${r.to}".`);
  },
};
