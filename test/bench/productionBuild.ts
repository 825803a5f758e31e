import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

let built: string | undefined;

/**
 * A production build (node esbuild.js --production) into a private directory laid out like the
 * packaged extension (package.json, media/, dist/): benches measure exactly what ships, and
 * nobody else's `node esbuild.js` in the shared tree can swap dist/ underneath them.
 * esbuild.js works relative to its working directory, so it runs in a folder of links.
 */
export function productionBuild(): string {
  if (built && fs.existsSync(built)) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-prod-'));
  for (const f of ['src', 'node_modules', 'media', 'tsconfig.json']) fs.symlinkSync(path.join(ROOT, f), path.join(dir, f));
  for (const f of ['package.json', 'README.md', 'LICENSE']) if (fs.existsSync(path.join(ROOT, f))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js'), '--production'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`production build failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  built = dir;
  return dir;
}
