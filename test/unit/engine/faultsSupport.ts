import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes, rng } from './packetFixtures';

/**
 * A two-host site (hosta with replica boston, hostb with replica sanfran of /vobs/dev) for the
 * fault tests: set up in-process, then driven by real `node dist/cli.js` processes that can be
 * killed. Homes keep their paths (the VOB registry holds absolute paths), so a saved state is
 * restored by replacing a home's contents.
 */
export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const TAG = '/vobs/dev';

export function ensureCli(): void {
  if (fs.existsSync(CLI)) return;
  const r = spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node esbuild.js failed: ${r.stderr}`);
}

export interface Run {
  status: number;
  out: string;
  err: string;
}


/**
 * Every step runs as `node dist/cli.js`, setup included: the killed processes and the ones that
 * prepare and check their work are then the same build, whatever state out/ is in.
 */
export async function must(home: string, _cwd: string, ...argv: string[]): Promise<string> {
  const r = await child(home, argv);
  if (r.status !== 0) throw new Error(`multitool ${argv.join(' ')} failed (${r.status}): ${r.err}`);
  return r.out;
}

export interface ChildRun extends Run {
  signal: NodeJS.Signals | null;
  ms: number;
}

/** `node dist/cli.js multitool ...` as home; with killAfterMs, SIGKILLed after that long (if still running). */
export function child(home: string, argv: string[], killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [CLI, 'multitool', ...argv], { env: { ...process.env, MULTISITE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ status: code ?? -1, signal, out, err, ms: performance.now() - t0 });
    });
  });
}

export interface Site {
  root: string;
  a: string;
  b: string;
  /** Saved copies: A after its history was loaded, B right after mkreplica -import. */
  savedA: string;
  savedB: string;
}

export async function makeSite(root: string, opts: { seed: number; files: number; rounds: number; maxBytes: number }): Promise<Site> {
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  await must(a, root, 'mkhost', '-name', 'hosta');
  await must(b, root, 'mkhost', '-name', 'hostb');
  await must(a, root, 'addpeer', 'hostb', '-address', '127.0.0.1', '-port', '1131', '-home', b);
  await must(b, root, 'addpeer', 'hosta', '-address', '127.0.0.1', '-port', '1130', '-home', a);
  await must(a, root, 'mkvob', '-tag', TAG, '-replica', 'boston');
  const creation = path.join(root, 'creation');
  fs.mkdirSync(creation);
  await must(a, root, 'mkreplica', '-export', '-workdir', path.join(root, 'wa'), '-out', path.join(creation, 'repl'), `hostb:sanfran@${TAG}`);
  await must(b, root, 'mkreplica', '-import', '-workdir', path.join(root, 'wb'), '-tag', TAG, ...fs.readdirSync(creation).map((f) => path.join(creation, f)));
  const next = rng(opts.seed);
  const tree = path.join(root, 'tree');
  for (let round = 0; round < opts.rounds; round++) {
    for (let f = 0; f < opts.files; f++) {
      // Not every file changes in every round, so some elements have fewer versions.
      if (round > 0 && next() < 0.3) continue;
      const file = path.join(tree, `dir${f % 5}`, `file${f}.dat`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, randomBytes(next, 1 + Math.floor(next() * opts.maxBytes)));
    }
    await must(a, root, 'fsimport', '-invob', TAG, '-c', `round ${round}`, tree);
  }
  const savedA = path.join(root, 'saved-a');
  const savedB = path.join(root, 'saved-b');
  fs.cpSync(a, savedA, { recursive: true });
  fs.cpSync(b, savedB, { recursive: true });
  return { root, a, b, savedA, savedB };
}

export function restore(saved: string, home: string): void {
  fs.rmSync(home, { recursive: true, force: true });
  fs.cpSync(saved, home, { recursive: true });
}

export async function digestOf(home: string, cwd: string): Promise<string> {
  return (await must(home, cwd, 'digest', '-invob', TAG)).trim();
}

export function packetsIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => !n.startsWith('.')).map((n) => path.join(dir, n));
}
