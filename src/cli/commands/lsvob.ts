import type { CommandSpec } from '../command';
import { listVobs } from '../../engine/sync/listing';
import { engineContext, operands } from './engineContext';

const usage = 'lsvob [-long]';

export const lsvob: CommandSpec = {
  name: 'lsvob',
  usage,
  options: [{ name: 'long', kind: 'flag' }],
  async run(ctx, args) {
    operands(args, 0, 0, usage, '');
    const vobs = listVobs(engineContext(ctx));
    if (vobs.length === 0) {
      ctx.out('No VOBs are registered on this host; create one with "multitool mkvob" or "multitool mkreplica -import".');
      return;
    }
    for (const v of vobs) {
      if (args.flags.has('long')) {
        ctx.out(`Tag: ${v.tag}`);
        ctx.out(`  Global path: ${v.dir}`);
        ctx.out(`  Replica name: ${v.replicaName}`);
        ctx.out(`  Replica uuid: ${v.replicaOid}`);
        ctx.out(`  Vob family uuid: ${v.familyOid}`);
      } else {
        ctx.out(`${v.tag.padEnd(24)} ${v.dir} (replica "${v.replicaName}")`);
      }
    }
  },
};
