import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mkhost, mkvob } from '../../../../src/engine/sync';

/** A temp root holding host boston (home `root/home`) with VOB `tag`, replica boston_hub. */
export async function oneHostVob(prefix: string, tag: string): Promise<{ root: string; ctx: { home: string } }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ctx = { home: path.join(root, 'home') };
  mkhost(ctx.home, { name: 'boston' });
  await mkvob(ctx, { tag, replica: 'boston_hub' });
  return { root, ctx };
}

/** Writes `content` to `root/files/<name>` (folders made as needed) and returns that path. */
export function fileUnder(root: string, name: string, content: string): string {
  const f = path.join(root, 'files', name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, content);
  return f;
}
