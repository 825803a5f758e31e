import * as fs from 'fs';
import { pipeline } from 'stream/promises';
import { StringDecoder } from 'string_decoder';
import type { CommandSpec } from '../command';
import { catVersion } from '../../engine/vob/content';
import { engineContext, operands, requireValue, resolvePath } from './engineContext';

const usage = 'cat -invob TAG [-to FILE] PATH@@/BRANCH/N';

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
    if (to) {
      // Exact bytes, streamed: the line-oriented output below cannot say "no final newline".
      await pipeline(stream, fs.createWriteStream(resolvePath(ctx, to)));
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
