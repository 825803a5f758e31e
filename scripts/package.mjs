#!/usr/bin/env node
// `npm run package`: production build, dist/multisite.vsix with @vscode/vsce (everything is
// bundled, so --no-dependencies), then checks what went in (.vscodeignore) and that code-server
// installs it. usage: npm run package [-- --no-install-check]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, CODE_SERVER_ENTRY, codeServerInstalled } from './setup.mjs';

const require = createRequire(import.meta.url);
const VSCE = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
const VSIX = path.join(ROOT, 'dist', 'multisite.vsix');
process.chdir(ROOT);

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: opts.capture ? 'pipe' : 'inherit', ...opts });
  if (r.status !== 0) fail(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status}${opts.capture ? `: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}` : ''}`);
  return r.stdout ?? '';
}

run(process.execPath, ['esbuild.js', '--production']);
// the production build writes no source maps; drop older ones so a stale map cannot ship
for (const f of fs.readdirSync('dist')) if (f.endsWith('.map')) fs.rmSync(path.join('dist', f));
fs.rmSync(VSIX, { force: true });
run(process.execPath, [VSCE, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', VSIX], { stdio: ['ignore', 'inherit', 'inherit'] });

// What is inside: only the bundles, media, the manifest and the documents vsce requires.
const files = run(process.execPath, [VSCE, 'ls', '--no-dependencies'], { capture: true })
  .split('\n').map((l) => l.trim()).filter(Boolean);
const allowed = [/^dist\/(extension|server|cli)\.js$/, /^media\//, /^package\.json$/, /^README\.md$/, /^LICENSE(\.txt|\.md)?$/, /^CHANGELOG\.md$/, /^docs\/rules\//];
const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
const required = ['dist/extension.js', 'dist/engineApi.js', 'dist/server.js', 'dist/cli.js', 'package.json', 'README.md', 'media/shipping-conf.tmLanguage.json'];
const missing = required.filter((f) => !files.includes(f));
if (unexpected.length || missing.length) {
  fail(`the .vsix content is wrong (.vscodeignore): ${unexpected.length ? `unexpected ${unexpected.join(', ')}` : ''}${missing.length ? ` missing ${missing.join(', ')}` : ''}`);
}
const kb = (fs.statSync(VSIX).size / 1024).toFixed(1);
const groups = new Map();
for (const f of files) { const g = f.includes('/') ? `${f.slice(0, f.lastIndexOf('/'))}/` : f; groups.set(g, (groups.get(g) ?? 0) + 1); }
console.log(`[package] ${path.relative(ROOT, VSIX)}: ${kb} KB, ${files.length} files: ${[...groups].map(([g, n]) => (n > 1 ? `${g} (${n})` : g)).join(', ')}`);

// Does a real VS Code (code-server) install it?
if (!process.argv.includes('--no-install-check')) {
  if (!codeServerInstalled()) {
    console.log('[package] install check skipped: code-server is not installed (node scripts/setup.mjs installs it)');
  } else {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-vsix-'));
    try {
      const env = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'cfg'), XDG_DATA_HOME: path.join(tmp, 'data'), EXTENSIONS_GALLERY: '{}' };
      run(process.execPath, [CODE_SERVER_ENTRY, '--extensions-dir', path.join(tmp, 'ext'), '--user-data-dir', path.join(tmp, 'ud'),
        '--install-extension', VSIX], { env, capture: true });
      const listed = run(process.execPath, [CODE_SERVER_ENTRY, '--extensions-dir', path.join(tmp, 'ext'), '--user-data-dir', path.join(tmp, 'ud'),
        '--list-extensions', '--show-versions'], { env, capture: true });
      const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
      const want = `${pkg.publisher}.${pkg.name}@${pkg.version}`;
      if (!listed.split('\n').some((l) => l.trim() === want)) fail(`code-server did not list ${want} after installing: ${listed.trim()}`);
      console.log(`[package] code-server ${'4.100.3'} installs it: ${want}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}
