#!/usr/bin/env node
// `npm start`: builds the extension and opens the product in a real editor on the demo site
// (.cache/demo, made by scripts/demo.mjs):
//   - desktop VS Code with the extension in development mode when `code` is on PATH
//     (or VSCODE_DESKTOP=1), in its own profile under .cache/start/ so the demo hosts are set;
//   - else code-server on 127.0.0.1 (installed by scripts/setup.mjs), printing the URL that loads
//     the extension under development. Runs until Ctrl+C.
//
// usage: npm start [-- --port 8123] [-- --code-server] [-- --smoke]
//   --code-server  use code-server even when `code` is on PATH
//   --smoke        (code-server) open the URL in headless chromium, check the MultiSite views
//                  show the demo hosts, save test-output/screenshots/start.png, and stop
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, ensureSetup } from './setup.mjs';
import { makeDemo } from './demo.mjs';

const { values: opts } = parseArgs({ options: {
  port: { type: 'string', default: process.env.PORT || '8123' },
  'code-server': { type: 'boolean', default: false },
  smoke: { type: 'boolean', default: false },
} });

const START = path.join(ROOT, '.cache', 'start');

function fail(message) {
  console.error(`start: ${message}`);
  process.exit(1);
}

function build() {
  const r = spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail('the build failed (node esbuild.js)');
}

function desktopCode() {
  if (opts['code-server'] || opts.smoke) return undefined;
  if (process.env.VSCODE_DESKTOP === '1' || spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim()) return 'code';
  return undefined;
}

const WINDOW_SETTINGS = { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false };

/** multisite.hosts is machine-scoped: a local window reads it from the user settings. */
function hostsSetting(demo) {
  return { 'multisite.hosts': demo.hosts.map((h) => h.home) };
}

async function openDesktop(code, demo) {
  const userData = path.join(START, 'vscode-user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...hostsSetting(demo), ...WINDOW_SETTINGS }, null, 2));
  const args = ['--user-data-dir', userData, '--extensionDevelopmentPath', ROOT, '--new-window', demo.workspace];
  console.log(`[start] ${code} ${args.join(' ')}`);
  const child = spawn(code, args, { stdio: 'inherit' });
  child.on('exit', (c) => process.exit(c ?? 0));
}

async function openCodeServer(demo) {
  try {
    ensureSetup((m) => console.log(m));
  } catch (e) {
    fail(e.message);
  }
  const { startCodeServer, workbenchUrl, launchBrowser, showMultiSite } = await import('../test/harness/lib.mjs');
  // Transient files (sockets: short paths) in a temp run dir; the profile persists in .cache/start.
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-start-'));
  for (const d of ['tmp', 'xdg-config', 'xdg-data', 'xdg-cache', 'extensions']) fs.mkdirSync(path.join(runDir, d));
  const userDataDir = path.join(START, 'code-server-user-data');
  let cs;
  try {
    cs = await startCodeServer(runDir, { port: Number(opts.port) || undefined, userDataDir,
      // a code-server window is a remote one: machine-scoped settings go in the remote settings
      userSettings: WINDOW_SETTINGS, machineSettings: hostsSetting(demo) });
  } catch (e) {
    fail(`${e.message.split('\n')[0]} (is port ${opts.port} taken? try npm start -- --port N)`);
  }
  const url = workbenchUrl(cs.port, { folder: demo.workspace, devExt: ROOT });
  const stop = async () => {
    await cs.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
  console.log('\nMultiSite is running in code-server (VS Code 1.100.3) with the extension under development.');
  console.log(`Demo site: ${demo.workspace}`);
  console.log(`Open:\n\n  ${url}\n`);
  console.log(`(server log: ${cs.logFile}; Ctrl+C stops it)`);
  if (!opts.smoke) return;

  let ok = false;
  const ctx = await launchBrowser(runDir);
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(url);
    await showMultiSite(page);
    const rows = page.locator('.part.sidebar .monaco-list[aria-label="Replicas"] .monaco-list-row .label-name');
    await page.waitForFunction((n) => document.querySelectorAll('.part.sidebar .monaco-list[aria-label="Replicas"] .monaco-list-row').length >= n, demo.hosts.length);
    const names = await rows.allTextContents();
    ok = demo.hosts.every((h) => names.includes(h.name));
    console.log(`[start] smoke: Replicas view shows ${JSON.stringify(names)}: ${ok ? 'ok' : 'MISSING demo hosts'}`);
    const shots = path.join(ROOT, 'test-output', 'screenshots');
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'start.png') });
  } catch (e) {
    console.error(`[start] smoke failed: ${e.message.split('\n')[0]}`);
  } finally {
    await ctx.close();
    await stop();
  }
  process.exit(ok ? 0 : 1);
}

build();
let demo;
try {
  demo = makeDemo({ log: (m) => console.log(m) });
} catch (e) {
  fail(`the demo site could not be made: ${e.message}`);
}
const code = desktopCode();
if (code) await openDesktop(code, demo);
else await openCodeServer(demo);
