#!/usr/bin/env node
// `npm test`: builds, compiles the tests and runs the four test levels, every one of them:
//   unit     mocha, plain Node: out/test/unit/**/*.test.js (.mocharc.unit.json)
//   lsp      mocha: dist/server.js spoken to over stdio (.mocharc.lsp.json)
//   exthost  mocha inside code-server's real extension host (test/harness/run-exthost.mjs)
//   e2e      the real workbench in headless chromium (.mocharc.e2e.json, test/e2e/*.test.mjs)
// Before exthost/e2e the setup step installs apt packages and code-server (reused when present).
// A failing test, a type error, or a level that cannot run fails the run, with the reason.
// The last line is `N passed, N failed`.
//
// Where a desktop VS Code can be had (`code` on PATH, or VSCODE_DESKTOP=1) the level
// exthost-desktop runs the exthost suite once more in it (test/harness/electron.mjs).
//
// The unit level runs beside the others (output printed per level when it ends); --serial
// runs and streams them one by one.
//
// usage: npm test [-- --level unit,lsp] [-- --serial]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, format } from 'node:util';
import { createRequire } from 'node:module';
import { ROOT, ensureSetup } from './setup.mjs';

const require = createRequire(import.meta.url);
const LEVELS = ['unit', 'lsp', 'exthost', 'e2e'];
// The exthost suite once more in desktop VS Code (@vscode/test-electron) where one can be had.
const DESKTOP = process.env.VSCODE_DESKTOP === '1' || Boolean(spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout?.trim());
const ALL_LEVELS = [...LEVELS, 'exthost-desktop'];
const { values: opts } = parseArgs({ options: {
  level: { type: 'string', multiple: true, default: [] },
  serial: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} });
if (opts.help) {
  console.log(`usage: npm test [-- --level ${ALL_LEVELS.join('|')}[,...]] [-- --serial]`);
  process.exit(0);
}
const selected = opts.level.length ? opts.level.flatMap((l) => l.split(',')).map((l) => l.trim()).filter(Boolean)
  : DESKTOP ? ['unit', 'lsp', 'exthost', 'exthost-desktop', 'e2e'] : LEVELS;
for (const l of selected) {
  if (!ALL_LEVELS.includes(l)) { console.error(`test: unknown level "${l}": one of ${ALL_LEVELS.join(', ')}`); process.exit(2); }
}

process.chdir(ROOT);
const OUT = path.join(ROOT, 'test-output');
fs.mkdirSync(OUT, { recursive: true });
const MOCHA = require.resolve('mocha/bin/mocha.js');
const REPORTER = path.join(ROOT, 'test', 'harness', 'counting-reporter.cjs');
const t0 = Date.now();
/** @type {{name: string, ok: boolean, passed?: number, failed?: number, ms: number, reason?: string}[]} */
const rows = [];

function banner(text) {
  console.log(`\n=== ${text} ${'='.repeat(Math.max(3, 70 - text.length))}`);
}

const stdoutSink = (t) => process.stdout.write(t);

/** Runs a command; its output goes to `sink` (the terminal, or a level's buffer) and is returned. */
function exec(cmd, args, { env = {}, sink = stdoutSink } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (d) => { output += d; sink(String(d)); };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (e) => resolve({ code: 127, output: e.message }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/**
 * Runs one step or level and records its row. Buffered (levels running side by side), its
 * output is printed in one piece when it ends, so levels never interleave.
 */
async function step(name, fn, { buffered = false } = {}) {
  let buf = '';
  const sink = buffered ? (t) => { buf += t; } : stdoutSink;
  if (buffered) console.log(`[test] ${name} started`); else banner(name);
  const start = Date.now();
  let row;
  try {
    row = await fn(sink);
  } catch (e) {
    row = { ok: false, reason: e.message.split('\n')[0] };
  }
  row = { name, ms: Date.now() - start, ...row };
  rows.push(row);
  if (buffered) {
    banner(`${name} (${(row.ms / 1000).toFixed(1)} s)`);
    process.stdout.write(buf.endsWith('\n') || !buf ? buf : `${buf}\n`);
  }
  if (!row.ok) console.log(`\n[test] ${name} FAILED: ${row.reason}`);
  return row.ok;
}

/** Removes compiled files whose TypeScript source is gone, so deleted tests do not keep running. */
function pruneStaleOutput() {
  for (const top of ['src', 'test']) {
    const dir = path.join(ROOT, 'out', top);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir, { recursive: true })) {
      const m = /^(.*)\.js(\.map)?$/.exec(f);
      if (!m) continue;
      if (!fs.existsSync(path.join(ROOT, top, `${m[1]}.ts`))) fs.rmSync(path.join(dir, f), { force: true });
    }
  }
}

/** Runs mocha with the counting reporter; returns a level row from the honest counts. */
async function mochaLevel(level, config, sink) {
  const summaryFile = path.join(OUT, `${level}.summary.json`);
  fs.rmSync(summaryFile, { force: true });
  const { code } = await exec(process.execPath, [MOCHA, '--config', config, '--reporter', REPORTER,
    '--reporter-option', `summary=${summaryFile}`], { sink });
  return fromSummary(level, code, fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : undefined);
}

function fromSummary(level, code, s, harnessError) {
  if (!s) return { ok: false, reason: harnessError || `mocha exited ${code} before running any test (see the output above)` };
  const row = { passed: s.passed, failed: s.failed };
  if (s.failed > 0) return { ...row, ok: false, reason: `${s.failed} failing: ${s.failures.map((f) => f.title).slice(0, 3).join('; ')}${s.failed > 3 ? '; ...' : ''}` };
  if (s.pending > 0) return { ...row, ok: false, reason: `${s.pending} pending (skipped) tests: tests may not be skipped` };
  if (s.passed === 0) return { ...row, ok: false, reason: 'no tests ran' };
  if (code !== 0) return { ...row, ok: false, reason: harnessError || `exited ${code} although no test failed` };
  return { ...row, ok: true };
}

const levels = {
  unit: (sink) => mochaLevel('unit', '.mocharc.unit.json', sink),
  lsp: (sink) => mochaLevel('lsp', '.mocharc.lsp.json', sink),
  async exthost(sink) {
    const { runExthost } = await import('../test/harness/run-exthost.mjs');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-ws-'));
    try {
      const workspace = path.join(tmp, 'demo');
      fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'demo'), workspace, { recursive: true });
      const r = await runExthost({
        tests: path.join(ROOT, 'out', 'test', 'exthost'),
        workspace,
        // the default host home must not be the developer's real ~/.multisite
        env: { MULTISITE_HOME: path.join(tmp, 'no-host-here') },
        log: (...m) => sink(`${format(...m)}\n`),
      });
      return fromSummary('exthost', r.code, r.summary, r.error && `harness: ${r.error}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
  e2e: (sink) => mochaLevel('e2e', '.mocharc.e2e.json', sink),
  async 'exthost-desktop'(sink) {
    const summaryFile = path.join(OUT, 'exthost-desktop.summary.json');
    fs.rmSync(summaryFile, { force: true });
    const headless = process.platform === 'linux' && !process.env.DISPLAY && spawnSync('sh', ['-c', 'command -v xvfb-run']).status === 0;
    const args = [path.join(ROOT, 'test', 'harness', 'electron.mjs'), '--summary', summaryFile];
    const { code } = headless ? await exec('xvfb-run', ['-a', process.execPath, ...args], { sink }) : await exec(process.execPath, args, { sink });
    return fromSummary('exthost-desktop', code, fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : undefined);
  },
};

const buildOk = await step('build bundles (node esbuild.js)', async () => {
  const r = await exec(process.execPath, ['esbuild.js']);
  return r.code === 0 ? { ok: true } : { ok: false, reason: `esbuild exited ${r.code}` };
});
await step('compile tests (tsc -p tsconfig.test.json)', async () => {
  pruneStaleOutput();
  const r = await exec(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.test.json', '--pretty', 'false']);
  if (r.code === 0) return { ok: true };
  const errors = r.output.split('\n').filter((l) => /error TS\d+/.test(l));
  return { ok: false, reason: `${errors.length} type error(s), first: ${errors[0] ?? r.output.trim().split('\n')[0]}` };
});

if (selected.some((l) => l === 'exthost' || l === 'e2e')) {
  await step('setup (apt packages, code-server)', async () => {
    ensureSetup((m) => console.log(m));
    return { ok: true };
  });
}

async function runLevels(list, buffered) {
  for (const level of list) {
    if (!buildOk && level !== 'unit') {
      rows.push({ name: level, ok: false, ms: 0, reason: 'the bundles did not build' });
      continue;
    }
    await step(level, levels[level], { buffered });
  }
}
// Two lanes side by side: the unit tests (CPU in this process tree) and the levels that mostly
// wait on code-server and the browser. --serial runs them one after the other, streaming.
const laneA = selected.filter((l) => l === 'unit');
const laneB = selected.filter((l) => l !== 'unit');
if (opts.serial || !laneA.length || !laneB.length) await runLevels(selected, false);
else await Promise.all([runLevels(laneA, true), runLevels(laneB, true)]);
rows.sort((a, b) => order(a.name) - order(b.name));

function order(name) {
  const i = ALL_LEVELS.indexOf(name);
  return i < 0 ? -1 : i;
}

// ---- summary ------------------------------------------------------------------------------
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const table = [['step / level', 'result', 'passed', 'failed', 'time'],
  ...rows.map((r) => [r.name.split(' (')[0], r.ok ? 'ok' : 'FAIL', r.passed ?? '-', r.failed ?? '-', secs(r.ms)])];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
banner(`summary (${secs(Date.now() - t0)})`);
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => (j >= 2 ? String(c).padStart(widths[j]) : String(c).padEnd(widths[j]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
const failedRows = rows.filter((r) => !r.ok);
for (const r of failedRows) console.log(`FAIL ${r.name}: ${r.reason}`);
const passed = rows.reduce((n, r) => n + (r.passed ?? 0), 0);
// A step or level that failed without a failing test (type errors, a harness that could not
// start, no tests) still counts as one failure, so the last line never reads "0 failed" then.
const failed = rows.reduce((n, r) => n + (r.failed ?? 0) + (!r.ok && !(r.failed > 0) ? 1 : 0), 0);
fs.writeFileSync(path.join(OUT, 'test-summary.json'), JSON.stringify({ levels: selected, rows, passed, failed, ms: Date.now() - t0 }, null, 2));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedRows.length ? 1 : 0);
