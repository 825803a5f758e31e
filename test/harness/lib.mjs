// The project's harness for a real VS Code without a desktop: code-server (VS Code 1.100.3 as a
// server, installed by scripts/setup.mjs into .cache/code-server) plus headless Debian chromium
// driven by playwright-core. Used by the extension-host level (run-exthost.mjs), the workbench
// level (test/e2e), the activation bench and `npm start`. See docs/development.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER_ENTRY = process.env.CODE_SERVER_ENTRY
  || path.join(ROOT, '.cache', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export class HarnessError extends Error {}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * A throw-away directory for one code-server + browser run. Kept short and under os.tmpdir():
 * the extension host's unix sockets live in its tmp/ and socket paths are limited to 107 bytes.
 */
export function makeRunDir(prefix = 'ms-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const s of ['tmp', 'xdg-config', 'xdg-data', 'xdg-cache', 'user-data', 'extensions']) fs.mkdirSync(path.join(d, s));
  return d;
}

/** Environment that keeps code-server, the extension host and chromium side files in runDir. */
export function isolatedEnv(runDir, extra = {}) {
  return {
    ...process.env,
    TMPDIR: path.join(runDir, 'tmp'),
    XDG_CONFIG_HOME: path.join(runDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(runDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(runDir, 'xdg-cache'),
    ...extra,
  };
}

/**
 * Starts code-server on 127.0.0.1 (no auth, no gallery, no telemetry) with fresh user data.
 * `env` is merged into the server's environment, which its extension hosts inherit.
 */
export async function startCodeServer(runDir, { extensionsDir, env = {}, port, userSettings, machineSettings, userDataDir } = {}) {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new HarnessError(`code-server is not installed (${CODE_SERVER_ENTRY} missing): run node scripts/setup.mjs`);
  }
  port ??= await freePort();
  const userData = userDataDir || path.join(runDir, 'user-data');
  if (userSettings) mergeSettings(path.join(userData, 'User', 'settings.json'), userSettings);
  // A code-server window is a remote window: VS Code ignores machine-scoped settings (such as
  // multisite.hosts) in the user settings there and reads them from the remote settings only.
  if (machineSettings) mergeSettings(path.join(userData, 'Machine', 'settings.json'), machineSettings);
  const logFile = path.join(runDir, 'server.log');
  const out = fs.createWriteStream(logFile);
  const server = spawn(process.execPath, [CODE_SERVER_ENTRY,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userData,
    '--extensions-dir', extensionsDir || path.join(runDir, 'extensions'),
    '--config', path.join(runDir, 'config.yaml'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
  ], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // EXTENSIONS_GALLERY '{}': no marketplace (else the workbench keeps resolving open-vsx.org).
    env: isolatedEnv(runDir, { EXTENSIONS_GALLERY: '{}', ...env }),
  });
  server.stdout.pipe(out);
  server.stderr.pipe(out);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (server.exitCode !== null || i > 600) {
      throw new HarnessError(`code-server did not start (exit ${server.exitCode}); log: ${logFile}\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
    for (let i = 0; i < 30 && server.exitCode === null && server.signalCode === null; i++) await sleep(100);
    try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  return { port, base, server, stop, logFile };
}

/**
 * The workbench URL. code-server refuses --extensionDevelopmentPath/--extensionTestsPath on its
 * command line; the workbench takes them from the `payload` query parameter instead, as
 * vscode-remote:// URIs naming paths on the server (as microsoft/vscode test/integration/browser).
 */
export function workbenchUrl(port, { folder, devExt, tests } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
  const payload = [['skipWelcome', 'true']];
  if (devExt) payload.push(['extensionDevelopmentPath', remote(devExt)]);
  if (tests) payload.push(['extensionTestsPath', remote(tests)], ['enableProposedApi', '']);
  let url = `http://127.0.0.1:${port}/?payload=${encodeURIComponent(JSON.stringify(payload))}`;
  if (folder) url += `&folder=${encodeURIComponent(path.resolve(folder))}`;
  return url;
}

export async function launchBrowser(runDir, opts = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new HarnessError(`chromium not found at ${CHROMIUM}: run node scripts/setup.mjs (apt package chromium)`);
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(path.join(runDir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: isolatedEnv(runDir),
    viewport: { width: 1400, height: 900 },
    ...opts,
  });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function tail(file, lines = 20) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

/** Adds settings to a settings.json, keeping what it already holds. */
function mergeSettings(file, settings) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let current = {};
  try { current = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { /* none yet, or hand-edited with comments */ }
  fs.writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2));
}

/** Runs a command from the command palette by its label, e.g. 'Preferences: Open User Settings (JSON)'. */
export async function runCommand(page, label) {
  await page.locator('.monaco-workbench').press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.fill(`>${label}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor();
  await input.press('Enter');
}

/**
 * What a failed UI wait needs to be understood from a CI log alone (CI keeps neither screenshots
 * nor run directories): the side bar's text, any notification, and the tail of every extension
 * host's MultiSite log and remote extension host log in runDir's user data.
 */
export async function workbenchDiagnostics(page, runDir) {
  const parts = [];
  try {
    const ui = await page.evaluate(() => ({
      sidebar: document.querySelector('.part.sidebar')?.innerText ?? '(no side bar)',
      notifications: [...document.querySelectorAll('.notification-toast, .notifications-list-container .monaco-list-row')].map((e) => e.innerText),
    }));
    parts.push(`side bar: ${JSON.stringify(ui.sidebar.slice(0, 800))}`, `notifications: ${JSON.stringify(ui.notifications)}`);
  } catch (e) {
    parts.push(`page: ${e.message.split('\n')[0]}`);
  }
  const logs = path.join(runDir, 'user-data', 'logs');
  const files = fs.existsSync(logs) ? fs.readdirSync(logs, { recursive: true }).map(String) : [];
  for (const f of files.filter((x) => /(^|\/)(exthost\d+\/(openmultisite\.multisite\/MultiSite|remoteexthost)|remoteagent)\.log$/.test(x)).sort()) {
    parts.push(`--- ${f}\n${tail(path.join(logs, f), 12)}`);
  }
  return parts.join('\n');
}

/** Removes a run directory unless MULTISITE_KEEP_RUNS is set (then says where it is). */
export function disposeRunDir(runDir, log = console.log) {
  if (process.env.MULTISITE_KEEP_RUNS) { log(`kept ${runDir}`); return; }
  fs.rmSync(runDir, { recursive: true, force: true });
}

/**
 * Makes the MultiSite container visible whatever the reloaded window restores: clicking its icon
 * toggles the side bar, so click only while the icon is not the active one, and retry while the
 * workbench is still restoring its layout.
 */
export async function showMultiSite(page) {
  const item = page.locator('.part.activitybar .action-item', { has: page.locator('a.action-label[aria-label^="MultiSite"]') });
  await item.waitFor();
  const replicas = page.locator('.part.sidebar .pane-header h3.title', { hasText: 'Replicas' });
  for (let i = 0; i < 40; i++) {
    if (await replicas.isVisible()) return;
    if (!(await item.evaluate((e) => e.classList.contains('checked')))) await item.locator('a.action-label').click();
    await page.waitForTimeout(500);
  }
  throw new Error('the MultiSite container did not open');
}
