import * as fs from 'fs';
import * as path from 'path';
import type { BenchTable } from './benchTypes';
import { productionBuild } from './productionBuild';
const BUNDLES = ['extension', 'engineApi', 'server', 'cli'];
const KB = (n: number): number => +(n / 1024).toFixed(1);

interface Metafile {
  inputs: Record<string, { bytes: number }>;
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Where an input comes from: its npm package, or its source folder (src/engine/conf, ...). */
function origin(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1];
  const rel = /(?:^|\/)(src\/.*)$/.exec(input)?.[1] ?? input;
  return path.dirname(rel).split('/').slice(0, 3).join('/');
}

export async function run(): Promise<BenchTable[]> {
  const ROOT = productionBuild();
  const sizes: (string | number)[][] = [];
  const makeup: BenchTable[] = [];
  for (const name of BUNDLES) {
    const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'meta', `${name}.json`), 'utf8')) as Metafile;
    const [outName, out] = Object.entries(meta.outputs).find(([o]) => o.endsWith(`${name}.js`)) ?? [];
    if (!outName || !out) throw new Error(`dist/meta/${name}.json has no output ${name}.js`);
    const onDisk = fs.statSync(path.join(ROOT, 'dist', `${name}.js`)).size;
    const byOrigin = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) byOrigin.set(origin(input), (byOrigin.get(origin(input)) ?? 0) + bytesInOutput);
    const top = [...byOrigin.entries()].sort((a, b) => b[1] - a[1]);
    sizes.push([`dist/${name}.js`, KB(onDisk), Object.keys(out.inputs).length, name === 'extension' ? (onDisk < 500 * 1024 ? 'yes' : 'NO') : '']);
    makeup.push({
      title: `dist/${name}.js: largest parts`,
      columns: ['from', 'KB'],
      rows: top.slice(0, 6).map(([o, b]) => [o, KB(b)]),
    });
  }
  return [
    {
      title: 'Bundle sizes (esbuild metafiles, dist/meta)',
      columns: ['bundle', 'KB', 'inputs', '< 500 KB'],
      rows: sizes,
      notes: ['production build (node esbuild.js --production: minified, no source maps)', 'target: extension bundle under 500 KB'],
    },
    ...makeup,
  ];
}
