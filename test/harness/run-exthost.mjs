#!/usr/bin/env node
// Runs a mocha suite inside code-server's real (Node, "remote") extension host, with the repo
// loaded as the extension under development. The headless browser only boots the workbench:
// code-server starts an extension host when a workbench window connects; the tests run there.
//
// usage: node test/harness/run-exthost.mjs --tests out/test/exthost [--ext DIR] [--workspace DIR]
//          [--summary FILE] [--timeout 240] [--env K=V ...]
// exit:  0 all tests passed, 1 tests failed (reported by the extension host), 2 harness error
//
// The tests module (extensionTestsPath) must export run(): Promise<void>; the workbench reports
// its outcome through window.codeAutomationExit(code), and console output of the extension host
// through window.codeAutomationLog(type, args): both are exposed to the page with Playwright.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ROOT, makeRunDir, startCodeServer, workbenchUrl, launchBrowser, disposeRunDir, HarnessError } from './lib.mjs';

export const SUMMARY_MARKER = 'MULTISITE_MOCHA_SUMMARY ';
const NOISE = /^(Resolv|Creating a socket|Updating additional|\[Service Worker\]|ChatSessionStore|Ignoring fetching additional|\[perf\]|Started local extension host|Extension host)/;

/**
 * Runs one extension-host session. Resolves to {code, summary, lines}: code 0/1 from the tests,
 * 2 for a harness failure (with `error`); summary is the counting reporter's {passed, failed, ...}
 * when the suite got that far.
 */
export async function runExthost({ tests, ext = ROOT, workspace, env = {}, timeoutSec = 240, log = console.log, echo = true, userSettings }) {
  const t0 = Date.now();
  const say = (...m) => log(`[exthost +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...m);
  const runDir = makeRunDir('ms-eh-');
  const ws = workspace || path.join(runDir, 'workspace');
  fs.mkdirSync(ws, { recursive: true });
  const lines = [];
  let summary;
  let cs;
  let ctx;
  let keep = false;
  try {
    cs = await startCodeServer(runDir, { env: { MULTISITE_MOCHA_SUMMARY: '', ...env }, userSettings });
    say(`code-server up on ${cs.base}`);
    ctx = await launchBrowser(runDir);
    const page = ctx.pages()[0] ?? await ctx.newPage();
    page.on('pageerror', (e) => say('pageerror', e.message));
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new HarnessError(`no result from the extension host after ${timeoutSec} s`)), timeoutSec * 1000);
      cs.server.on('exit', (c, s) => reject(new HarnessError(`code-server exited early (${c ?? s}); see ${cs.logFile}`)));
      page.exposeFunction('codeAutomationLog', (type, args) => {
        const line = format(...(args || []));
        lines.push(line);
        if (line.startsWith(SUMMARY_MARKER)) {
          try { summary = JSON.parse(line.slice(SUMMARY_MARKER.length)); } catch { /* reported below */ }
          return;
        }
        if (echo && (process.env.VSC_VERBOSE || !NOISE.test(line))) log(line);
      });
      page.exposeFunction('codeAutomationExit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    say('opening workbench');
    await page.goto(workbenchUrl(cs.port, { folder: ws, devExt: ext, tests: path.resolve(tests) }));
    const code = await done;
    say(`extension host reported exit code ${code}`);
    return { code: code === 0 ? 0 : 1, summary, lines };
  } catch (e) {
    keep = true;
    say('harness error:', e.message);
    return { code: 2, summary, lines, error: e.message.split('\n')[0] };
  } finally {
    try { await ctx?.close(); } catch { /* already closed */ }
    await cs?.stop();
    if (keep) say(`run directory kept for inspection: ${runDir}`); else disposeRunDir(runDir, say);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: a } = parseArgs({ options: {
    tests: { type: 'string', default: path.join(ROOT, 'out/test/exthost') },
    ext: { type: 'string', default: ROOT },
    workspace: { type: 'string' },
    summary: { type: 'string' },
    timeout: { type: 'string', default: '240' },
    env: { type: 'string', multiple: true, default: [] },
  } });
  const env = Object.fromEntries(a.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const r = await runExthost({ tests: a.tests, ext: path.resolve(a.ext), workspace: a.workspace, env, timeoutSec: Number(a.timeout) });
  if (a.summary) fs.writeFileSync(a.summary, JSON.stringify({ ...(r.summary ?? {}), code: r.code, error: r.error }));
  process.exit(r.code);
}
