// Bundles the entry points: the extension (vscode external), the engine it loads on first use,
// the shipping.conf language server and the engine's command line. `--production` minifies; a metafile per
// bundle lands in dist/meta/ so `npm run bench` can report bundle sizes and their make-up.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const entries = [
  { name: 'extension', entry: 'src/extension/extension.ts', external: ['vscode'] },
  // The engine the editor runs in-process, loaded on first use (src/extension/engine.ts).
  { name: 'engineApi', entry: 'src/extension/engineApi.ts', external: [] },
  { name: 'server', entry: 'src/server/server.ts', external: [] },
  { name: 'cli', entry: 'src/cli/main.ts', external: [], banner: '#!/usr/bin/env node' },
];

/** Reports build errors in the file:line:col form VS Code's problem matchers read. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

/**
 * Node's built-in modules, imported as namespaces (`import * as fs from 'fs'`) by many modules:
 * esbuild wraps each such import of a CommonJS module in its own copy of the module's
 * properties (__toESM), 64 copies made at every start of the command line, a few milliseconds
 * of each command. Importing them through one ES module per built-in (`export * from 'fs'`)
 * makes that copy once per built-in.
 */
const BUILTINS = /^(fs|fs\/promises|path|crypto|zlib|os|net|stream|stream\/promises|util|events|child_process|worker_threads)$/;
const builtinsOnce = {
  name: 'builtins-once',
  setup(build) {
    build.onResolve({ filter: BUILTINS }, (args) =>
      args.namespace === 'builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)};`, loader: 'js' }));
  },
};

async function buildOne({ name, entry, external, banner }) {
  const ctx = await esbuild.context({
    entryPoints: [entry],
    outfile: `dist/${name}.js`,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external,
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    banner: banner ? { js: banner } : undefined,
    plugins: [builtinsOnce, problemMatcher],
  });
  if (watch) {
    await ctx.watch();
    return;
  }
  const result = await ctx.rebuild();
  await ctx.dispose();
  fs.mkdirSync('dist/meta', { recursive: true });
  fs.writeFileSync(path.join('dist/meta', `${name}.json`), JSON.stringify(result.metafile));
  if (banner) fs.chmodSync(`dist/${name}.js`, 0o755);
}

Promise.all(entries.map(buildOne)).catch((e) => {
  console.error(e.message);
  process.exit(1);
});
