import type { CommandSpec } from '../command';
import { mkvob as makeVob } from '../../engine/vob/content';
import { engineContext, operands, requireValue, resolvePath } from './engineContext';

const usage = 'mkvob -tag TAG -replica NAME [-c C] [-vob DIR]';

export const mkvob: CommandSpec = {
  name: 'mkvob',
  usage,
  options: [
    { name: 'tag', kind: 'value' },
    { name: 'replica', kind: 'value' },
    { name: 'c', kind: 'value' },
    { name: 'vob', kind: 'value' },
  ],
  async run(ctx, args) {
    operands(args, 0, 0, usage, '');
    const tag = requireValue(args, 'tag', usage);
    const replica = requireValue(args, 'replica', usage);
    const vobDir = args.values.get('vob');
    const r = await makeVob(engineContext(ctx), { tag, replica, comment: args.values.get('c'), vobDir: vobDir !== undefined ? resolvePath(ctx, vobDir) : undefined });
    ctx.out(`Created VOB "${r.tag}" with replica "${r.replicaName}".`);
    ctx.out(`  VOB family identifier is: ${r.familyOid}`);
    ctx.out(`  Replica storage: ${r.dir}`);
  },
};
