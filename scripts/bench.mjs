#!/usr/bin/env node
// `npm run bench`: production build, compile, then every out/test/bench/*.bench.js module's
// run(): Promise<BenchTable[]>, printed as aligned tables and written to test-output/bench.json.
// See docs/bench.md.   usage: npm run bench [-- NAME-FILTER...]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './setup.mjs';

const require = createRequire(import.meta.url);
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
process.chdir(ROOT);

function step(what, args) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  return r.status === 0;
}
if (!step('build', ['esbuild.js', '--production'])) { console.error('bench: the production build failed'); process.exit(1); }
if (!step('compile', [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.test.json'])) {
  console.error('bench: tsc reported type errors (see above); running the benches that compiled');
}

/** Aligned text table: numbers right-aligned, text left-aligned. */
export function formatTable(t) {
  const cells = [t.columns, ...t.rows].map((r) => r.map((c) => String(c)));
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const isNum = t.columns.map((_, i) => t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number'));
  const line = (r) => r.map((c, i) => (isNum[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [t.title, line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line),
    ...(t.notes ?? []).map((n) => `  ${n}`)].join('\n');
}

const dir = path.join(ROOT, 'out', 'test', 'bench');
const modules = (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter((f) => f.endsWith('.bench.js'))
  .filter((f) => !filters.length || filters.some((x) => f.includes(x))).sort();
if (!modules.length) { console.error(`bench: no bench modules in out/test/bench${filters.length ? ` matching ${filters.join(', ')}` : ''}`); process.exit(1); }

const report = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, modules: [] };
let failed = 0;
for (const m of modules) {
  const t0 = performance.now();
  console.log(`\n### ${m}`);
  try {
    const mod = require(path.join(dir, m));
    if (typeof mod.run !== 'function') throw new Error('exports no run() function');
    const tables = await mod.run();
    if (!Array.isArray(tables)) throw new Error('run() did not return an array of tables');
    for (const t of tables) console.log(`\n${formatTable(t)}`);
    report.modules.push({ module: m, ms: Math.round(performance.now() - t0), tables });
  } catch (e) {
    failed++;
    console.log(`FAILED: ${e.message}`);
    report.modules.push({ module: m, ms: Math.round(performance.now() - t0), error: e.message });
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'test-output', 'bench.json'), JSON.stringify(report, null, 2));
console.log(`\n${modules.length - failed} of ${modules.length} bench modules ran; results in test-output/bench.json`);
process.exit(failed ? 1 : 0);
