import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { once } from 'events';
import { runProgram } from '../../src/cli/run';
import { exportSync, importSync } from '../../src/engine/sync';
import { commandEnv, type BenchTable } from './benchTypes';
import { prng } from '../support/prng';

/**
 * syncreplica -export -out and -import of a whole history, side by side with `git bundle create`
 * and `git fetch` from that bundle of the same history (one git commit per version), with peak
 * memory of every process. Two histories:
 *  - synthetic: SYNC_BENCH_VERSIONS versions (20,000) over a tenth as many elements, about
 *    SYNC_BENCH_MB megabytes (200) of text-like content, versions 100 B to 1 MB, each version an
 *    edit of the previous one; loaded with fsimport in ten snapshots;
 *  - real: successive published versions of an npm package (SYNC_BENCH_NPM, default lodash),
 *    fetched with `npm pack` into a cache and loaded snapshot by snapshot with fsimport.
 * Targets (issue 3): each of our steps no slower than git's; peak memory below 300 MB.
 */
const MB = Number(process.env.SYNC_BENCH_MB ?? 200);
const VERSIONS = Number(process.env.SYNC_BENCH_VERSIONS ?? 20_000);
const ROUNDS = 10;
const RUNS = Number(process.env.SYNC_BENCH_RUNS ?? 3);
const NPM_PACKAGE = process.env.SYNC_BENCH_NPM ?? 'lodash';
const NPM_VERSIONS = Number(process.env.SYNC_BENCH_NPM_VERSIONS ?? 15);
const NPM_CACHE = process.env.SYNC_BENCH_NPM_CACHE ?? path.join(os.tmpdir(), 'multisite-bench-npm-cache');
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const TIME = '/usr/bin/time';

interface History {
  name: string;
  tag: string;
  /** Versions as git commits: one per changed file per snapshot. */
  versions: number;
  bytes: number;
  git: string;
  notes: string[];
}

export async function run(): Promise<BenchTable[]> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build with "node esbuild.js" first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
  try {
    const site = await makeSite(work);
    const histories: History[] = [];
    histories.push(await syntheticHistory(site, work));
    const real = await npmHistory(site, work);
    if (typeof real === 'string') {
      histories.push({ name: `${NPM_PACKAGE} (skipped)`, tag: '', versions: 0, bytes: 0, git: '', notes: [real] });
    } else histories.push(real);
    // Saved states: A with every history loaded, B right after its replicas were created.
    const savedA = path.join(work, 'saved-a');
    const savedB = path.join(work, 'saved-b');
    sh('cp', ['-a', site.a, savedA]);
    sh('cp', ['-a', site.b, savedB]);
    const tables: BenchTable[] = [];
    for (const h of histories) {
      if (!h.tag) {
        tables.push({ title: `syncreplica vs git: ${h.name}`, columns: ['step'], rows: [], notes: h.notes });
        continue;
      }
      tables.push(await measure(site, h, savedA, savedB, work));
    }
    return tables;
  } finally {
    // SYNC_BENCH_KEEP=1 keeps the hosts and git repositories for profiling by hand.
    if (process.env.SYNC_BENCH_KEEP) process.stderr.write(`sync bench: kept ${work}\n`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

interface Site {
  a: string;
  b: string;
  creation: string;
}

async function ms(home: string, ...argv: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runProgram('multitool', argv, { home, cwd: home, env: { ...process.env, MULTISITE_HOME: home }, out: (l) => out.push(l), err: (l) => err.push(l) });
  if (status !== 0) throw new Error(`multitool ${argv.join(' ')} failed: ${err.join(' ')}`);
  return out.join('\n');
}

async function makeSite(work: string): Promise<Site> {
  const a = path.join(work, 'a');
  const b = path.join(work, 'b');
  await ms(a, 'mkhost', '-name', 'hosta');
  await ms(b, 'mkhost', '-name', 'hostb');
  await ms(a, 'addpeer', 'hostb', '-address', '127.0.0.1', '-port', '1131', '-home', b);
  await ms(b, 'addpeer', 'hosta', '-address', '127.0.0.1', '-port', '1130', '-home', a);
  return { a, b, creation: path.join(work, 'creation') };
}

/** A new VOB at A with an empty replica at B, as mkreplica makes it. */
async function makeVob(site: Site, tag: string, work: string): Promise<void> {
  await ms(site.a, 'mkvob', '-tag', tag, '-replica', `boston${tag.replace(/\W/g, '_')}`);
  const dir = fs.mkdtempSync(path.join(work, 'repl-'));
  await ms(site.a, 'mkreplica', '-export', '-workdir', path.join(dir, 'w'), '-out', path.join(dir, 'repl'), `hostb:sanfran${tag.replace(/\W/g, '_')}@${tag}`);
  const files = fs.readdirSync(dir).filter((n) => n.startsWith('repl')).map((n) => path.join(dir, n));
  await ms(site.b, 'mkreplica', '-import', '-workdir', path.join(dir, 'wb'), '-tag', tag, ...files);
}

const rng = prng;

/** Text-like bytes (words and lines), compressible about as much as source code. */
function corpus(bytes: number, next: () => number): Buffer {
  const words = Array.from({ length: 4096 }, () => {
    const n = 2 + Math.floor(next() * 9);
    let w = '';
    for (let i = 0; i < n; i++) w += String.fromCharCode(97 + Math.floor(next() * 26));
    return w;
  });
  const parts: string[] = [];
  let len = 0;
  while (len < bytes) {
    let line = '  '.repeat(Math.floor(next() * 4));
    const k = 3 + Math.floor(next() * 10);
    for (let i = 0; i < k; i++) line += (i ? ' ' : '') + words[Math.floor(next() * next() * words.length)];
    line += next() < 0.5 ? ';\n' : '\n';
    parts.push(line);
    len += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

/**
 * Element sizes 100 B .. 1 MB, log-skewed (size = 100 * 10^(4 u^p)) with p chosen so the
 * history totals about `total` bytes.
 */
function elementSizes(elements: number, perElementVersions: number, total: number, next: () => number): number[] {
  const us = Array.from({ length: elements }, () => next());
  const sizesFor = (p: number): number[] => us.map((u) => Math.min(1024 * 1024, Math.round(100 * 10 ** (4 * u ** p))));
  const totalFor = (p: number): number => sizesFor(p).reduce((s, x) => s + x, 0) * perElementVersions;
  let lo = 0.2;
  let hi = 60;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (totalFor(mid) > total) lo = mid;
    else hi = mid;
  }
  return sizesFor(hi);
}

/** Version v of an element: its base text with v edits (inserted lines) and a version line. */
function versionContent(text: Buffer, e: number, base: { off: number; size: number }, v: number): Buffer {
  const next = rng(e * 7919 + 17);
  const pieces: Buffer[] = [Buffer.from(`element ${e} version ${v}\n`)];
  const cuts: number[] = [];
  for (let i = 0; i < v; i++) cuts.push(Math.floor(next() * base.size));
  cuts.sort((x, y) => x - y);
  let at = 0;
  for (const [i, c] of cuts.entries()) {
    pieces.push(text.subarray(base.off + at, base.off + c));
    pieces.push(Buffer.from(`edit ${i} of element ${e}: ${text.toString('latin1', base.off + c, base.off + c + 24).replace(/\n/g, ' ')}\n`));
    at = c;
  }
  pieces.push(text.subarray(base.off + at, base.off + base.size));
  return Buffer.concat(pieces);
}

async function syntheticHistory(site: Site, work: string): Promise<History> {
  const tag = '/vobs/synthetic';
  await makeVob(site, tag, work);
  const elements = Math.max(1, Math.round(VERSIONS / ROUNDS));
  const next = rng(20261121);
  const text = corpus(Math.max(4, Math.ceil(MB / 4)) * 1024 * 1024 + 1024 * 1024, next);
  const sizes = elementSizes(elements, ROUNDS, MB * 1024 * 1024, next);
  const bases = sizes.map((size) => ({ size, off: Math.floor(next() * (text.length - size)) }));
  const tree = path.join(work, 'synthetic-tree');
  const git = path.join(work, 'synthetic.git');
  const fi = await fastImport(git);
  let bytes = 0;
  let versions = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let e = 0; e < elements; e++) {
      const content = versionContent(text, e, bases[e], round);
      const rel = `d${e % 50}/e${e}.txt`;
      const file = path.join(tree, rel);
      if (round === 0) fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      await fi.commit(rel, content, `element ${e} version ${round}`);
      bytes += content.length;
      versions++;
    }
    await ms(site.a, 'fsimport', '-invob', tag, '-c', `snapshot ${round}`, tree);
  }
  await fi.done();
  return {
    name: `synthetic history: ${versions} versions over ${elements} elements, ${(bytes / 1048576).toFixed(0)} MB`,
    tag,
    versions,
    bytes,
    git,
    notes: [`sizes 100 B to 1 MB (log-skewed), text-like content; every version is an edit of the previous one (SYNC_BENCH_MB=${MB}, SYNC_BENCH_VERSIONS=${VERSIONS})`],
  };
}

/** Successive published versions of a real package, or a sentence saying why not. */
async function npmHistory(site: Site, work: string): Promise<History | string> {
  fs.mkdirSync(NPM_CACHE, { recursive: true });
  const list = spawnSync('npm', ['view', NPM_PACKAGE, 'versions', '--json'], { encoding: 'utf8', timeout: 60_000 });
  let all: string[];
  try {
    if (list.status !== 0) throw new Error(list.stderr.trim().split('\n').pop() ?? `exit ${list.status}`);
    all = JSON.parse(list.stdout) as string[];
  } catch (e) {
    return `real-project history skipped: the npm registry is unreachable (${(e as Error).message}).`;
  }
  const stable = all.filter((v) => /^\d+\.\d+\.\d+$/.test(v));
  const chosen = stable.slice(-NPM_VERSIONS);
  const tgzs: string[] = [];
  for (const v of chosen) {
    const tgz = path.join(NPM_CACHE, `${NPM_PACKAGE.replace(/^@/, '').replace(/\//g, '-')}-${v}.tgz`);
    if (!fs.existsSync(tgz)) {
      const r = spawnSync('npm', ['pack', `${NPM_PACKAGE}@${v}`, '--pack-destination', NPM_CACHE, '--silent'], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0 || !fs.existsSync(tgz)) return `real-project history skipped: npm pack ${NPM_PACKAGE}@${v} failed (${r.stderr.trim().split('\n').pop()}).`;
    }
    tgzs.push(tgz);
  }
  const tag = '/vobs/npm';
  await makeVob(site, tag, work);
  const tree = path.join(work, 'npm-tree');
  const git = path.join(work, 'npm.git');
  const fi = await fastImport(git);
  const seen = new Map<string, string>();
  let versions = 0;
  let bytes = 0;
  for (const [i, tgz] of tgzs.entries()) {
    const unpack = path.join(work, `npm-unpack-${i}`);
    fs.mkdirSync(unpack);
    sh('tar', ['-xzf', tgz, '-C', unpack]);
    const pkg = path.join(unpack, 'package');
    // The tree accumulates, like the VOB: files dropped by a release stay as elements.
    for (const rel of walk(pkg)) {
      const content = fs.readFileSync(path.join(pkg, rel));
      const hash = crypto.createHash('sha256').update(content).digest('hex');
      if (seen.get(rel) === hash) continue;
      seen.set(rel, hash);
      const file = path.join(tree, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      await fi.commit(rel, content, `${NPM_PACKAGE}@${chosen[i]}: ${rel}`);
      versions++;
      bytes += content.length;
    }
    fs.rmSync(unpack, { recursive: true });
    await ms(site.a, 'fsimport', '-invob', tag, '-c', `${NPM_PACKAGE}@${chosen[i]}`, tree);
  }
  await fi.done();
  return {
    name: `${NPM_PACKAGE} ${chosen[0]} .. ${chosen[chosen.length - 1]} (${chosen.length} releases): ${versions} versions over ${seen.size} elements, ${(bytes / 1048576).toFixed(1)} MB`,
    tag,
    versions,
    bytes,
    git,
    notes: [`real project: npm pack ${NPM_PACKAGE}@<version> for its last ${chosen.length} releases (cache ${NPM_CACHE}), each loaded with fsimport`],
  };
}

function* walk(dir: string, rel = ''): Generator<string> {
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(dir, r);
    else if (e.isFile()) yield r;
  }
}

/** git fast-import fed one commit per version (inline blobs), then packed as a gc'd repository would be. */
async function fastImport(dir: string): Promise<{ commit(rel: string, content: Buffer, msg: string): Promise<void>; done(): Promise<void> }> {
  fs.mkdirSync(dir, { recursive: true });
  sh('git', ['init', '-q', '--bare', dir]);
  const p = spawn('git', ['fast-import', '--quiet'], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = once(p, 'close');
  let t = 1_700_000_000;
  const write = async (b: Buffer | string): Promise<void> => {
    if (!p.stdin.write(b)) await once(p.stdin, 'drain');
  };
  return {
    async commit(rel, content, msg) {
      const m = Buffer.from(msg);
      await write(`commit refs/heads/main\ncommitter Bench <bench@example.invalid> ${t++} +0000\ndata ${m.length}\n`);
      await write(m);
      await write(`\nM 100644 inline ${rel}\ndata ${content.length}\n`);
      await write(content);
      await write('\n');
    },
    async done() {
      p.stdin.end();
      const [code] = (await closed) as [number];
      if (code !== 0) throw new Error(`git fast-import failed: ${err}`);
      sh('git', ['-C', dir, 'repack', '-a', '-d', '-q']);
    },
  };
}

/** Writes everything pending to disk, so a timed step does not pay for the write-back of the one before. */
function settle(): void {
  spawnSync('sync', [], { stdio: 'ignore' });
}

function sh(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

interface Timed {
  ms: number;
  rssMB: number;
}

/** Wall time and peak resident memory (the process and the children it waited for) of one command. */
function timed(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Timed {
  const haveTime = fs.existsSync(TIME);
  const tfile = path.join(os.tmpdir(), `bench-time-${process.pid}`);
  const t0 = performance.now();
  const r = haveTime
    ? spawnSync(TIME, ['-f', '%M', '-o', tfile, cmd, ...args], { cwd: opts.cwd, env: opts.env, encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const rssMB = haveTime ? Number(fs.readFileSync(tfile, 'utf8').trim().split('\n').pop()) / 1024 : NaN;
  if (haveTime) fs.rmSync(tfile, { force: true });
  return { ms, rssMB };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function dirBytes(dir: string): number {
  return fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

async function measure(site: Site, h: History, savedA: string, savedB: string, work: string): Promise<BenchTable> {
  const env = (home: string): NodeJS.ProcessEnv => commandEnv({ MULTISITE_HOME: home });
  const target = `sanfran${h.tag.replace(/\W/g, '_')}@${h.tag}`;
  const want = (await ms(site.a, 'digest', '-invob', h.tag)).trim();
  const rows: (string | number)[][] = [];
  const gitCreate: Timed[] = [];
  const gitCreateDurable: Timed[] = [];
  const gitFetch: Timed[] = [];
  const bundle = path.join(work, 'bench.bundle');
  for (let i = 0; i < RUNS; i++) {
    fs.rmSync(bundle, { force: true });
    settle();
    gitCreate.push(timed('git', ['-C', h.git, 'bundle', 'create', '-q', bundle, '--all']));
    fs.rmSync(bundle, { force: true });
    settle();
    // git bundle create never fsyncs (strace: no fsync call); our export must, before it raises
    // the rows. The same durability for git: its bundle and directory synced to disk.
    gitCreateDurable.push(timed('sh', ['-c', 'git -C "$1" bundle create -q "$2" --all && sync "$2" "$(dirname "$2")"', 'sh', h.git, bundle]));
    const dst = path.join(work, `fetch-${i}`);
    sh('git', ['init', '-q', '--bare', dst]);
    settle();
    gitFetch.push(timed('git', ['-C', dst, 'fetch', '-q', bundle, 'refs/heads/*:refs/heads/*']));
    fs.rmSync(dst, { recursive: true, force: true });
  }
  const bundleBytes = fs.statSync(bundle).size;
  fs.rmSync(bundle, { force: true });
  const gitRow = (step: string, t: Timed[]): (string | number)[] => [step, Math.round(median(t.map((x) => x.ms))), '', '', '', Math.round(Math.max(...t.map((x) => x.rssMB)))];
  const gc = median(gitCreate.map((x) => x.ms));
  const gcd = median(gitCreateDurable.map((x) => x.ms));
  const gf = median(gitFetch.map((x) => x.ms));
  for (const compress of [false, true]) {
    const exports: Timed[] = [];
    const imports: Timed[] = [];
    let packetBytes = 0;
    for (let i = 0; i < RUNS; i++) {
      // Export raises A's row for B: every run starts again from the saved state (hard links: cheap).
      fs.rmSync(site.a, { recursive: true, force: true });
      sh('cp', ['-al', savedA, site.a]);
      const out = path.join(work, `packets-${compress}-${i}`);
      fs.mkdirSync(out);
      settle();
      exports.push(timed(process.execPath, [CLI, 'multitool', 'syncreplica', '-export', ...(compress ? ['-compress'] : []), '-out', out, target], { env: env(site.a) }));
      packetBytes = dirBytes(out);
      fs.rmSync(site.b, { recursive: true, force: true });
      sh('cp', ['-a', savedB, site.b]);
      settle();
      imports.push(timed(process.execPath, [CLI, 'multitool', 'syncreplica', '-import', out], { env: env(site.b) }));
      const got = (await ms(site.b, 'digest', '-invob', h.tag)).trim();
      if (got !== want) throw new Error(`after import, replica digest ${got} differs from ${want}`);
      fs.rmSync(out, { recursive: true, force: true });
    }
    const mode = compress ? ' -compress' : '';
    const e = median(exports.map((x) => x.ms));
    const im = median(imports.map((x) => x.ms));
    rows.push([`syncreplica -export${mode} -out (${(packetBytes / 1048576).toFixed(1)} MB)`, Math.round(e), Math.round(gc), +(e / gc).toFixed(2), +(e / gcd).toFixed(2), Math.round(Math.max(...exports.map((x) => x.rssMB)))]);
    rows.push([`syncreplica -import${mode}`, Math.round(im), Math.round(gf), +(im / gf).toFixed(2), +(im / gf).toFixed(2), Math.round(Math.max(...imports.map((x) => x.rssMB)))]);
  }
  // The same export in a process that is already running, as the editor runs the engine (and as
  // the coming shipping_server will): what a command costs without a Node.js start-up.
  const resident: number[] = [];
  const residentImports: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    fs.rmSync(site.a, { recursive: true, force: true });
    sh('cp', ['-al', savedA, site.a]);
    const out = path.join(work, `packets-resident-${i}`);
    fs.mkdirSync(out);
    settle();
    const t0 = performance.now();
    await exportSync({ home: site.a }, { targets: [target], out });
    // The first run loads and compiles the engine: left out, as the editor pays it once.
    if (i > 0) resident.push(performance.now() - t0);
    // And the import of that packet, the same way.
    fs.rmSync(site.b, { recursive: true, force: true });
    sh('cp', ['-a', savedB, site.b]);
    settle();
    const t1 = performance.now();
    const imported = await importSync({ home: site.b }, { sources: [out] });
    if (i > 0) residentImports.push(performance.now() - t1);
    if (!imported.ok) throw new Error(`in-process import failed: ${JSON.stringify(imported.events.map((e) => e.type))}`);
    const got = (await ms(site.b, 'digest', '-invob', h.tag)).trim();
    if (got !== want) throw new Error(`after the in-process import, replica digest ${got} differs from ${want}`);
    fs.rmSync(out, { recursive: true, force: true });
  }
  const re = median(resident);
  const ri = median(residentImports);
  rows.push(['syncreplica -export -out, engine already running (as in the editor)', Math.round(re), Math.round(gc), +(re / gc).toFixed(2), +(re / gcd).toFixed(2), '']);
  rows.push(['syncreplica -import, engine already running (as in the editor)', Math.round(ri), Math.round(gf), +(ri / gf).toFixed(2), +(ri / gf).toFixed(2), '']);
  rows.push(gitRow(`git bundle create --all (${(bundleBytes / 1048576).toFixed(1)} MB)`, gitCreate));
  rows.push(gitRow('git bundle create, then sync of the bundle and its directory', gitCreateDurable));
  rows.push(gitRow('git fetch <bundle>', gitFetch));
  // What any Node.js command costs before it does anything: the floor under our small-history rows.
  const floor: Timed[] = [];
  for (let i = 0; i < RUNS; i++) floor.push(timed(process.execPath, ['-e', '0'], { env: commandEnv() }));
  rows.push(['node -e 0 (start-up of any Node.js process)', Math.round(median(floor.map((x) => x.ms))), '', '', '', Math.round(Math.max(...floor.map((x) => x.rssMB)))]);
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const proxied: Timed[] = [];
    for (let i = 0; i < RUNS; i++) proxied.push(timed(process.execPath, ['-e', '0']));
    rows.push(['node -e 0 with NODE_EXTRA_CA_CERTS as set here (not used above)', Math.round(median(proxied.map((x) => x.ms))), '', '', '', Math.round(Math.max(...proxied.map((x) => x.rssMB)))]);
  }
  return {
    title: `syncreplica vs git: ${h.name}`,
    columns: ['step', 'median ms', 'git median ms', 'ratio to git', 'ratio, git synced', 'peak RSS MB'],
    rows,
    notes: [
      ...h.notes,
      'our processes run without NODE_EXTRA_CA_CERTS, which this machine sets for its npm proxy and which costs every Node.js process a certificate-bundle parse at start-up (see the node -e 0 rows); our commands make no TLS connection',
      `median of ${RUNS} runs (SYNC_BENCH_RUNS), each a real process (node dist/cli.js multitool ...; git ...); peak RSS from ${TIME} -f %M (process and the children it waited for). Target: below 300 MB`,
      '"engine already running": the same export, and the import of its packet, as function calls in this bench\'s process, after a first untimed pair (as the editor runs the engine, loaded once): the work without a Node.js start-up, code already compiled',
      'export is compared with git bundle create, import with git fetch from that bundle into an empty bare repository (index-pack included); git compresses always, so both our modes are set against the same git figures',
      '"ratio, git synced": export against git bundle create followed by a sync of the bundle and its directory, the durability our export gives before it raises the rows (git bundle create itself makes no fsync call; git fetch fsyncs its pack, so the import ratios are the same); before every timed step the disk is synced, so one step\'s write-back does not slow the next',
      `load average when measured: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores (other work on the machine slows both tools alike, not always equally)`,
      `git history: one commit per version via git fast-import, then git repack -a -d (untimed) as a gc'd repository; our replica at A loaded with fsimport snapshot by snapshot; the receiving replica is restored to its just-created state before every import and its digest checked after`,
    ],
  };
}
