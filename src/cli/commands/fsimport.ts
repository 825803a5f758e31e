import type { CommandSpec } from '../command';
import { fsimport as importTree } from '../../engine/vob/fsimport';
import { engineContext, operands, requireValue, resolvePath } from './engineContext';

const usage = 'fsimport -invob TAG [-c C] DIR';

export const fsimport: CommandSpec = {
  name: 'fsimport',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
    { name: 'c', kind: 'value' },
  ],
  async run(ctx, args) {
    const [dir] = operands(args, 1, 1, usage, 'directory');
    const tag = requireValue(args, 'invob', usage);
    const r = await importTree(engineContext(ctx), { tag, dir: resolvePath(ctx, dir), comment: args.values.get('c') });
    for (const s of r.skipped) ctx.warn(`Skipped "${s}": not a regular file.`);
    ctx.out(`Imported ${resolvePath(ctx, dir)} into VOB "${tag}": ${count(r.created.length, 'new element')}, ${count(r.changed.length, 'new version')}, ${r.unchanged} unchanged.`);
  },
};

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
