#!/usr/bin/env node
// Installs what the extension-host and workbench test levels (and `npm start` without a desktop
// VS Code) need on a Debian machine, and reuses it on later runs:
//   1. apt packages: chromium (headless browser for the workbench), ripgrep (stands in for the
//      ripgrep binary code-server would download from GitHub) and the headers code-server's
//      native modules build against. Installed as root with apt-get; skipped when all present.
//   2. code-server@4.100.3 (= VS Code 1.100.3) from npm into .cache/code-server (git-ignored).
// Usage: node scripts/setup.mjs [--quiet]. Exit status non-zero with a one-line reason on failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_PREFIX = path.join(ROOT, '.cache', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_PREFIX, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const STAMP = path.join(CODE_SERVER_PREFIX, `.installed-${CODE_SERVER_VERSION}`);

export const APT_PACKAGES = ['chromium', 'ripgrep', 'build-essential', 'python3', 'pkg-config',
  'libkrb5-dev', 'libsecret-1-dev', 'libx11-dev', 'libxkbfile-dev', 'ca-certificates'];

// @vscode/ripgrep version pinned by code-server 4.100.3 (lib/vscode/npm-shrinkwrap.json) and the
// release asset its postinstall would fetch from GitHub.
const RG_PKG_VERSION = '1.15.11';
const RG_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export class SetupError extends Error {}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...opts });
  if (r.error) throw new SetupError(`${cmd} could not be started: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = opts.quiet ? `\n${(r.stdout || '') + (r.stderr || '')}`.split('\n').slice(-15).join('\n') : '';
    throw new SetupError(`${cmd} ${args.join(' ')} failed with status ${r.status}${tail}`);
  }
  return r;
}

export function missingAptPackages() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...APT_PACKAGES], { encoding: 'utf8' });
  if (r.error) throw new SetupError('dpkg-query not found: the test harness needs a Debian-based machine (apt).');
  const installed = new Set(r.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
  return APT_PACKAGES.filter((p) => !installed.has(p));
}

export function ensureAptPackages(log = console.log) {
  const missing = missingAptPackages();
  if (missing.length === 0) { log('[setup] apt packages present'); return false; }
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  if (asRoot.length && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new SetupError(`missing apt packages (${missing.join(' ')}) and not root: run as root or install them with apt-get`);
  }
  log(`[setup] installing apt packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => asRoot.length ? run('sudo', ['-n', 'apt-get', ...args], { env }) : run('apt-get', args, { env });
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', ...missing]);
  const still = missingAptPackages();
  if (still.length) throw new SetupError(`apt-get did not install: ${still.join(' ')}`);
  return true;
}

export function codeServerInstalled() {
  return fs.existsSync(STAMP) && fs.existsSync(CODE_SERVER_ENTRY);
}

/** Serialises concurrent installs (several `npm test` runs can start at once in one tree). */
function withLock(dir, fn) {
  const lock = path.join(path.dirname(dir), `${path.basename(dir)}.lock`);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try { fs.mkdirSync(lock); break; } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const age = Date.now() - fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (age > 15 * 60_000) { fs.rmSync(lock, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new SetupError(`timed out waiting for ${lock}`);
      spawnSync('sleep', ['2']);
    }
  }
  try { return fn(); } finally { fs.rmSync(lock, { recursive: true, force: true }); }
}

export function ensureCodeServer(log = console.log, { quiet = false } = {}) {
  if (codeServerInstalled()) { log(`[setup] code-server ${CODE_SERVER_VERSION} present in .cache/code-server`); return false; }
  return withLock(CODE_SERVER_PREFIX, () => {
    if (codeServerInstalled()) return false;
    const t0 = Date.now();
    log(`[setup] installing code-server@${CODE_SERVER_VERSION} into .cache/code-server (a few minutes)`);
    if (Number(process.versions.node.split('.')[0]) !== 20) {
      throw new SetupError(`code-server ${CODE_SERVER_VERSION} needs Node 20 (its postinstall checks), this is Node ${process.versions.node}`);
    }
    const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
    if (!rg) throw new SetupError('ripgrep (rg) is not on PATH: install the Debian package ripgrep');
    fs.mkdirSync(CODE_SERVER_PREFIX, { recursive: true });
    // Workaround 1: @vscode/ripgrep's postinstall downloads rg from api.github.com unless
    // $TMPDIR/vscode-ripgrep-cache-<ver>/<asset> exists. Seed that cache with Debian's rg.
    const tmp = path.join(CODE_SERVER_PREFIX, '.tmp');
    const cache = path.join(tmp, `vscode-ripgrep-cache-${RG_PKG_VERSION}`);
    const stage = path.join(tmp, 'rgstage');
    fs.mkdirSync(cache, { recursive: true });
    fs.mkdirSync(stage, { recursive: true });
    fs.copyFileSync(rg, path.join(stage, 'rg'));
    fs.chmodSync(path.join(stage, 'rg'), 0o755);
    run('tar', ['czf', path.join(cache, RG_ASSET), '-C', stage, 'rg']);
    const pkg = path.join(CODE_SERVER_PREFIX, 'package.json');
    if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, '{ "name": "multisite-code-server", "private": true }\n');
    const env = {
      ...process.env,
      TMPDIR: tmp,
      // Workaround 2: node-pty's postinstall runs `npx node-gyp`; with `yes=false` in a user
      // npmrc npx refuses to fetch it without a prompt (and CI has no stdin).
      npm_config_yes: 'true',
      // Workaround 3: code-server's own postinstall.sh refuses to run as root unless npm says
      // unsafe-perm (npm 11 no longer knows the option but passes it on to the script).
      npm_config_unsafe_perm: 'true',
      // native modules build against the local Node headers instead of downloading them
      ...(fs.existsSync('/usr/include/node/node.h') && !process.env.npm_config_nodedir ? { npm_config_nodedir: '/usr' } : {}),
    };
    run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`],
      { cwd: CODE_SERVER_PREFIX, env, quiet });
    const rgBin = path.join(CODE_SERVER_PREFIX, 'node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg');
    if (!fs.existsSync(rgBin)) throw new SetupError(`code-server installed but ripgrep is missing at ${rgBin}`);
    if (!fs.existsSync(CODE_SERVER_ENTRY)) throw new SetupError(`code-server installed but ${CODE_SERVER_ENTRY} is missing`);
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
    log(`[setup] code-server installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return true;
  });
}

/** Everything levels 3-4 and `npm start` need. Throws SetupError with the reason. */
export function ensureSetup(log = console.log, opts = {}) {
  ensureAptPackages(log);
  ensureCodeServer(log, opts);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureSetup(console.log, { quiet: process.argv.includes('--quiet') });
  } catch (e) {
    console.error(`setup: ${e.message}`);
    process.exit(1);
  }
}
