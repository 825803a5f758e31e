import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { runProgram } from '../../src/cli/run';
import { writePacket, type PacketUnit } from '../../src/engine/packet';
import { commandEnv, type BenchTable } from './benchTypes';

/**
 * lspacket over 10,000 packets (target: under 1 s), in-process and as a real process, against
 * `git cat-file --batch-check` reading the metadata (type and size) of 10,000 loose objects:
 * one process opening 10,000 small files and decoding a header from each, which is what
 * lspacket does with packets. (`git bundle list-heads` would need one git process per bundle,
 * which would flatter us.)
 */
const PACKETS = Number(process.env.LSPACKET_BENCH_PACKETS ?? 10_000);
const RUNS = 7;
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

export async function run(): Promise<BenchTable[]> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build with "node esbuild.js" first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lspacket-'));
  try {
    const home = path.join(work, 'home');
    const bay = path.join(home, 'shipping', 'ms_ship', 'incoming');
    fs.mkdirSync(bay, { recursive: true });
    const templates = await makeTemplates(path.join(work, 'templates'));
    for (let i = 0; i < PACKETS; i++) {
      fs.copyFileSync(templates[i % templates.length], path.join(bay, `sync_boston_hub_2026-11-21T120000+0000_${1000 + (i % 7)}_${i + 1}`));
    }
    const repo = makeGitObjects(path.join(work, 'repo'), PACKETS);

    const rows: (string | number)[][] = [];
    const gitMs = median(
      RUNS,
      () => {
        const r = spawnSync('git', ['cat-file', '--batch-check'], { cwd: repo.dir, input: repo.ids, maxBuffer: 1 << 28 });
        if (r.status !== 0) throw new Error(`git cat-file failed: ${r.stderr.toString()}`);
        if (r.stdout.toString().split('\n').length - 1 !== PACKETS) throw new Error('git cat-file listed the wrong number of objects');
      },
    );
    for (const format of ['-short', '', '-long']) {
      const argv = ['lspacket', ...(format ? [format] : []), bay];
      const inProcess = await medianAsync(RUNS, async () => {
        let lines = 0;
        const status = await runProgram('multitool', argv, { home, cwd: work, env: {}, out: (l) => (lines += 1 + (l.match(/\n/g)?.length ?? 0)), err: (l) => { throw new Error(l); } });
        if (status !== 0 || lines < PACKETS) throw new Error(`lspacket ${format} failed (${status}, ${lines} lines)`);
      });
      const proc = median(RUNS, () => {
        const r = spawnSync(process.execPath, [CLI, 'multitool', ...argv], { env: commandEnv({ MULTISITE_HOME: home }), maxBuffer: 1 << 28 });
        if (r.status !== 0) throw new Error(`lspacket process failed: ${r.stderr.toString()}`);
      });
      const name = `lspacket ${format || '(default)'}`;
      rows.push([`${name}, in-process`, PACKETS, round(inProcess.median), round(inProcess.best), round(inProcess.median / gitMs.median, 2)]);
      rows.push([`${name}, process`, PACKETS, round(proc.median), round(proc.best), round(proc.median / gitMs.median, 2)]);
    }
    rows.push([`git cat-file --batch-check (${PACKETS} loose objects)`, PACKETS, round(gitMs.median), round(gitMs.best), 1]);
    const packetBytes = fs.statSync(templates[0]).size;
    return [
      {
        title: `lspacket over ${PACKETS} packets vs git cat-file --batch-check over ${PACKETS} loose objects`,
        columns: ['command', 'items', 'median ms', 'best ms', 'ratio to git (medians)'],
        rows,
        notes: [
          `median and best of ${RUNS} runs each after a warm-up run, warm file cache; target: lspacket over 10,000 packets under 1000 ms`,
          `packets: ${templates.length} distinct signed packets (~${packetBytes} bytes, 1 target, 2 originating replicas) copied to ${PACKETS} files in one bay`,
          'reference: one git process reading type and size of each of as many loose objects (one small zlib file each), ids on stdin',
          `load average when measured: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`,
          '"process" = node dist/cli.js multitool lspacket ... with stdout captured through a pipe (node start-up included)',
        ],
      },
    ];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function makeTemplates(dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const out: string[] = [];
  for (let t = 0; t < 20; t++) {
    const units: PacketUnit[] = [];
    for (let i = 0; i < 6; i++) {
      const content = crypto.randomBytes(200 + t * 10);
      const hash = crypto.createHash('sha256').update(content).digest('hex');
      units.push({
        records: [{ kind: 'checkin', origin: i % 2 ? 'oid-bangalore' : 'oid-boston', id: 100 * t + i + 1, element: `src/f${i}.c` }],
        blobs: [{ hash, size: content.length, open: () => Readable.from([content]) }],
      });
    }
    const [w] = await writePacket(
      {
        kind: 'update',
        dir,
        fileName: `t${t}`,
        compress: false,
        header: {
          sequence: t + 1,
          familyOid: '12a3456b.78c901d2.e3ab.45:67:89:c0:1d:e2',
          vobTag: '/vobs/dev',
          comment: `nightly update ${t}`,
          origin: { name: 'boston_hub', oid: 'oid-boston' },
          sendingHost: 'boston',
          targets: [{ name: 'sanfran_hub', oid: 'oid-sanfran', host: 'sanfran', vobTag: '/vobs/dev', incarnation: 0 }],
          senderRow: { 'oid-boston': 100 * t, 'oid-bangalore': 50 * t },
        },
        replicas: [{ oid: 'oid-bangalore', name: 'bangalore', incarnation: 0 }],
        signer: { host: 'boston', privateKey },
      },
      units,
    );
    out.push(w.path);
  }
  return out;
}

/** A repository with `n` loose blobs (one git process), and their ids for cat-file's stdin. */
function makeGitObjects(dir: string, n: number): { dir: string; ids: string } {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q']);
  const files = path.join(dir, 'files');
  fs.mkdirSync(files);
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = path.join(files, `f${i}`);
    fs.writeFileSync(f, `blob ${i} ${'x'.repeat(300)}\n`);
    names.push(f);
  }
  const ids = git(dir, ['hash-object', '-w', '--stdin-paths'], names.join('\n') + '\n');
  return { dir, ids };
}

function git(cwd: string, args: string[], input?: string): string {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

interface Stat {
  median: number;
  best: number;
}

function median(runs: number, f: () => void): Stat {
  f(); // warm-up: file cache, JIT
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)], best: times[0] };
}

async function medianAsync(runs: number, f: () => Promise<void>): Promise<Stat> {
  await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)], best: times[0] };
}

function round(x: number, digits = 1): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
