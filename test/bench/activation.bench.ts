import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BenchTable } from './benchTypes';
import { ROOT, productionBuild } from './productionBuild';

const RUNS = Number(process.env.MULTISITE_ACTIVATION_RUNS ?? 5);

interface Times { extension: string; runs: { activationMs: number; startup: boolean }[] }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Activation time of the extension (production build) in the real extension host, as VS Code
 * itself reports it in "Developer: Show Running Extensions" (code loading + activate call),
 * after a click on the MultiSite icon in fresh workbench windows (test/harness/activation-times.mjs).
 */
export async function run(): Promise<BenchTable[]> {
  const setup = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'setup.mjs'), '--quiet'], { encoding: 'utf8' });
  if (setup.status !== 0) throw new Error(`setup failed: ${(setup.stderr || setup.stdout).trim().split('\n').pop()}`);
  const ext = productionBuild();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-actbench-'));
  let times: Times;
  try {
    const out = path.join(tmp, 'times.json');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'test', 'harness', 'activation-times.mjs'),
      '--ext', ext, '--runs', String(RUNS), '--out', out], { encoding: 'utf8' });
    if (r.status !== 0 || !fs.existsSync(out)) throw new Error(`activation-times failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
    times = JSON.parse(fs.readFileSync(out, 'utf8')) as Times;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const all = times.runs.map((r) => r.activationMs);
  if (all.length !== RUNS) throw new Error(`expected ${RUNS} runs, got ${all.length}`);
  if (times.runs.some((r) => r.startup)) throw new Error('the extension was activated at startup: it must wait for its views, commands or language');
  const med = median(all);
  const kb = +(fs.statSync(path.join(ext, 'dist', 'extension.js')).size / 1024).toFixed(1);
  return [{
    title: 'Extension activation in the real extension host (code-server 4.100.3 = VS Code 1.100.3)',
    columns: ['trigger', 'runs', 'median ms', 'min ms', 'max ms', '< 50 ms'],
    rows: [['click on the MultiSite icon (onView)', RUNS, med, Math.min(...all), Math.max(...all), med < 50 ? 'yes' : 'NO']],
    notes: [
      'VS Code\'s own figure from "Developer: Show Running Extensions": codeLoadingTime + activateCallTime',
      `production build (dist/extension.js ${kb} KB); each run a fresh workbench window and extension host, 4 s after startup`,
      `all runs (ms): ${all.join(', ')}; target: under 50 ms`,
    ],
  }];
}
