import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { nodeFileSystem, parseShippingConf, reparseShippingConf, splitLines } from '../../src/engine/conf';
import type { ConfDocument } from '../../src/server/document';
import { computeCompletion } from '../../src/server/services/completion';
import { computeDiagnostics } from '../../src/server/services/diagnostics';
import { computeHover } from '../../src/server/services/hover';
import { DEFAULT_SETTINGS } from '../../src/server/settings';
import { LspClient, SERVER } from '../lsp/shippingConfClient';
import type { BenchTable } from './benchTypes';

/**
 * The shipping.conf language server on a 10,000-line file (targets: full diagnostics under
 * 30 ms, completion and hover under 5 ms median), measured twice: in-process, the services the
 * server runs (parse + validate + conversion to LSP), and end to end over stdio against
 * dist/server.js (the edit sent, the diagnostics received). The floor is a plain pass that
 * only splits the same text into lines, run in the same process in the same run.
 */
const LINES = 10_000;
const DIAG_RUNS = 30;
const POINT_RUNS = 300;

function makeFile(home: string): string {
  const lines: string[] = ['# shipping.conf of a large hub: 60 storage classes, many routes', 'MAX-DATA-SIZE 1024m', 'NOTIFICATION-PROGRAM /bin/sh', 'ADMINISTRATOR root'];
  for (let c = 0; c < 60; c++) {
    const cls = c === 0 ? '-default' : `class${c}`;
    for (const kind of ['ms_ship', 'ms_rtn']) {
      const bay = path.join(home, 'shipping', `${cls}-${kind}`);
      fs.mkdirSync(path.join(bay, 'incoming'), { recursive: true });
      fs.mkdirSync(path.join(bay, 'outgoing'), { recursive: true });
    }
    lines.push(`# class ${cls}`, `STORAGE-BAY ${cls} ${home}/shipping/${cls}-ms_ship`, `RETURN-BAY  ${cls} ${home}/shipping/${cls}-ms_rtn`, `EXPIRATION  ${cls} ${c % 30}`);
  }
  lines.push('CLEARCASE_MIN_PORT 49152', 'CLEARCASE_MAX_PORT 65535', 'DOWNHOST-TIMEOUT 30');
  let i = 0;
  while (lines.length < LINES) {
    i++;
    if (i % 10 === 0) lines.push(`# routes of region ${i}`);
    else if (i % 97 === 0) lines.push(`ROUTE hub${i % 13}.example.com host_${i}.example.com`); // a realistic error now and then
    else if (i % 5 === 0) lines.push(`ADMINISTRATOR ops${i}@example.com`);
    else lines.push(`ROUTE hub${i % 13}.example.com site${i}.example.com site${i}b.example.com`);
  }
  return lines.join('\n') + '\n';
}

interface Stats {
  median: number;
  p95: number;
  min: number;
  /** Median CPU time of this process (user + system) per run, when measured in-process. */
  cpu?: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function stats(samples: number[], cpu?: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))], min: s[0], ...(cpu ? { cpu: median(cpu) } : {}) };
}

/**
 * Wall time and CPU time of each run. On a shared machine the wall time includes waiting for a
 * CPU; the CPU time is what the work itself costs.
 */
function time(runs: number, f: (i: number) => void): Stats {
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f(i);
    samples.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return stats(samples, cpu);
}

async function timeAsync(runs: number, f: (i: number) => Promise<void>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f(i);
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

const r2 = (n: number): number => +n.toFixed(2);

export async function run(): Promise<BenchTable[]> {
  if (!fs.existsSync(SERVER)) throw new Error(`${SERVER} is missing: build with "node esbuild.js" first`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lsp-'));
  const client = new LspClient();
  try {
    const text = makeFile(home);
    const lines = splitLines(text);
    const rnd = ((seed) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31))(42);
    const positions = Array.from({ length: POINT_RUNS }, () => {
      const line = Math.floor(rnd() * lines.length);
      return { line, character: Math.floor(rnd() * (lines[line].length + 1)) };
    });
    const ruleHref = (c: string): string => `command:x?${c}`;
    const ctxOff = { settings: { ...DEFAULT_SETTINGS, fileSystemChecks: false }, hosts: [], ruleHref };
    const ctxOn = { ...ctxOff, settings: DEFAULT_SETTINGS, fs: nodeFileSystem };

    // In-process: what one validation costs inside the server.
    for (let i = 0; i < 5; i++) computeDiagnostics({ uri: 'file:///b', version: i, parsed: parseShippingConf(text) }, ctxOn); // warm up
    const floor = time(DIAG_RUNS, () => void text.split(/\r\n|\r|\n/));
    let found = 0;
    const diagOff = time(DIAG_RUNS, (i) => void (found = computeDiagnostics({ uri: 'file:///b', version: i, parsed: parseShippingConf(text) }, ctxOff).length));
    const diagOn = time(DIAG_RUNS, (i) => void computeDiagnostics({ uri: 'file:///b', version: i, parsed: parseShippingConf(text) }, ctxOn));
    // Typing: one line changed, the previous version's parse reused for the others.
    const base = parseShippingConf(text);
    const edited = [text, text.replace('ROUTE hub1.example.com', 'ROUTE hub1.example.org')];
    const diagEdit = time(DIAG_RUNS, (i) => void computeDiagnostics({ uri: 'file:///b', version: i, parsed: reparseShippingConf(base, edited[i % 2 === 0 ? 1 : 0]) }, ctxOff));
    const doc: ConfDocument = { uri: 'file:///b', version: 1, parsed: parseShippingConf(text) };
    const compl = time(POINT_RUNS, (i) => void computeCompletion(doc, positions[i], ctxOff));
    const hover = time(POINT_RUNS, (i) => void computeHover(doc, positions[i], ctxOff));

    // Over stdio: the real server process, production bundle.
    const uri = pathToFileURL(path.join(home, 'shipping.conf')).toString();
    await client.initialize({ validationDelay: 0 });
    await client.open(uri, text, 1);
    await client.diagnosticsFor(uri, 1, 60000);
    let version = 1;
    const e2eDiag = await timeAsync(DIAG_RUNS, async () => {
      version++;
      await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      await client.diagnosticsFor(uri, version, 60000);
    });
    const e2eEdit = await timeAsync(DIAG_RUNS, async () => {
      version++;
      const at = { line: 5000, character: 0 };
      await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: at, end: at }, text: version % 2 ? '#' : '' }] });
      await client.diagnosticsFor(uri, version, 60000);
    });
    const td = { textDocument: { uri } };
    const e2eCompl = await timeAsync(POINT_RUNS, (i) => client.request('textDocument/completion', { ...td, position: positions[i] }).then(() => undefined));
    const e2eHover = await timeAsync(POINT_RUNS, (i) => client.request('textDocument/hover', { ...td, position: positions[i] }).then(() => undefined));
    await client.shutdown();

    const row = (what: string, s: Stats, target: string, okBelow?: number): (string | number)[] => [
      what,
      r2(s.median),
      r2(s.p95),
      r2(s.min),
      s.cpu === undefined ? '-' : r2(s.cpu),
      r2(s.median / floor.median),
      target,
      okBelow === undefined ? '' : `${s.median < okBelow ? 'yes' : 'NO'} / ${s.cpu === undefined ? '-' : s.cpu < okBelow ? 'yes' : 'NO'}`,
    ];
    return [
      {
        title: `shipping.conf language server, ${lines.length - 1}-line file`,
        columns: ['measure', 'median ms', 'p95 ms', 'min ms', 'CPU median ms', 'x floor (median)', 'target', 'met (wall / CPU median)'],
        rows: [
          row('floor: split into lines', floor, ''),
          row('diagnostics in the server, no disk checks', diagOff, '< 30 ms', 30),
          row('diagnostics in the server, bays and programs on disk', diagOn, '< 30 ms', 30),
          row('diagnostics in the server after a one-line edit, no disk checks', diagEdit, '< 30 ms', 30),
          row('completion in the server', compl, '< 5 ms', 5),
          row('hover in the server', hover, '< 5 ms', 5),
          row('stdio: full text sent -> diagnostics received', e2eDiag, ''),
          row('stdio: one-character edit -> diagnostics received', e2eEdit, ''),
          row('stdio: completion request round trip', e2eCompl, '< 5 ms', 5),
          row('stdio: hover request round trip', e2eHover, '< 5 ms', 5),
        ],
        notes: [
          `${DIAG_RUNS} runs per diagnostics row, ${POINT_RUNS} random positions per completion/hover row; ${found} diagnostics per validation (realistic errors every 97th line).`,
          '"in the server" = parse + validate + conversion to LSP diagnostics, the work the server does per version; "stdio" adds the JSON-RPC transport of dist/server.js (production build) and, for full text, sending ~0.5 MB.',
          'The validation runs after a 200 ms pause in typing in the editor; the bench sets the pause to 0 to time the work itself.',
          'CPU = user + system time of the process per run (process.cpuUsage), i.e. the cost of the work without the waits for a CPU that a loaded machine adds to wall time; "-" where the work is in another process.',
          `Load average while measuring: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} on ${os.cpus().length} CPUs (the machine is shared; min shows the uncontended cost).`,
        ],
      },
    ];
  } finally {
    client.kill();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
