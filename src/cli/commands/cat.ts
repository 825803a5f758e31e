import * as fs from 'fs';
import { pipeline } from 'stream/promises';
import { StringDecoder } from 'string_decoder';
import type { CommandSpec } from '../command';
import { catVersion } from '../../engine/vob/content';
import { MultiSiteError } from '../../engine/errors';
import { engineContext, operands, requireValue, resolvePath } from './engineContext';

const usage = 'cat -invob TAG [-to FILE] PATH@@/BRANCH/N';

/** -to names a place the user chose: these are mistakes in it, not bugs (full disk etc. are reported by run.ts). */
const WRITE_PROBLEMS: Record<string, string> = {
  EISDIR: 'it is a directory',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

export const cat: CommandSpec = {
  name: 'cat',
  usage,
  options: [
    { name: 'invob', kind: 'value' },
    { name: 'to', kind: 'value' },
  ],
  async run(ctx, args) {
    const [version] = operands(args, 1, 1, usage, 'version (PATH@@/BRANCH/N)');
    const tag = requireValue(args, 'invob', usage);
    const stream = await catVersion(engineContext(ctx), { tag, version });
    const to = args.values.get('to');
    if (to !== undefined) {
      // Exact bytes, streamed: the line-oriented output below cannot say "no final newline".
      try {
        await pipeline(stream, fs.createWriteStream(resolvePath(ctx, to)));
      } catch (e) {
        const why = WRITE_PROBLEMS[(e as NodeJS.ErrnoException).code ?? ''];
        if (why) throw new MultiSiteError(`Cannot write "${to}": ${why}.`);
        throw e;
      }
      return;
    }
    const dec = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of stream) {
      const lines = (rest + dec.write(chunk as Buffer)).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) ctx.out(l);
    }
    rest += dec.end();
    if (rest) ctx.out(rest);
  },
};
