#!/usr/bin/env node
// Reads the extension's activation time the way VS Code reports it ("Developer: Show Running
// Extensions": codeLoadingTime + activateCallTime of the extension host), after a person's
// first click on the MultiSite activity-bar icon, in several fresh workbench windows.
//
// usage: node test/harness/activation-times.mjs [--ext DIR] [--runs 5] [--settle 4000] [--out FILE]
// prints/writes {"runs": [{"activationMs": N, "startup": false}, ...]}; exit 2 on a harness error.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, makeRunDir, startCodeServer, launchBrowser, workbenchUrl, disposeRunDir, sleep, runCommand } from './lib.mjs';

const { values: a } = parseArgs({ options: {
  ext: { type: 'string', default: ROOT },
  runs: { type: 'string', default: '5' },
  settle: { type: 'string', default: '4000' },
  out: { type: 'string' },
} });
const ext = path.resolve(a.ext);
const id = (() => { const p = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8')); return `${p.publisher}.${p.name}`; })();
const runDir = makeRunDir('ms-act-');
let cs, ctx, code = 0;
const runs = [];
try {
  cs = await startCodeServer(runDir, { env: { MULTISITE_HOME: path.join(runDir, 'no-host') } });
  ctx = await launchBrowser(runDir);
  for (let i = 0; i < Number(a.runs); i++) {
    // a new folder per run: no restored side bar or editors from the run before
    const ws = path.join(runDir, `ws${i}`);
    fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'demo'), ws, { recursive: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(workbenchUrl(cs.port, { folder: ws, devExt: ext }));
    await page.waitForSelector('.part.activitybar a.action-label[aria-label^="MultiSite"]');
    // let the startup activations (git, ...) finish: they share the extension host's thread
    await sleep(Number(a.settle));
    await page.locator('.part.activitybar a.action-label[aria-label^="MultiSite"]').click();
    await page.locator('.part.sidebar .pane-header h3.title', { hasText: 'Replicas' }).waitFor();
    if (process.env.VSC_VERBOSE) console.error('view open');
    await runCommand(page, 'Developer: Show Running Extensions');
    if (process.env.VSC_VERBOSE) console.error('running extensions');
    // each row's text: name, version, host, "[Startup ]Activation: Nms"
    const m = await page.waitForFunction((extId) => {
      const text = document.querySelector('.runtime-extensions-editor')?.innerText ?? '';
      const at = text.indexOf(extId);
      return at >= 0 && /(Startup )?Activation: (\d+)ms/.exec(text.slice(at))?.slice(0, 3);
    }, id).then((h) => h.jsonValue());
    runs.push({ activationMs: Number(m[2]), startup: Boolean(m[1]) });
    await page.close();
  }
} catch (e) {
  console.error(`activation-times: ${e.message.split('\n')[0]}`);
  try { await ctx?.pages().at(-1)?.screenshot({ path: path.join(ROOT, 'test-output', 'activation-times-error.png') }); } catch { /* no page */ }
  code = 2;
} finally {
  try { await ctx?.close(); } catch { /* closed */ }
  await cs?.stop();
  disposeRunDir(runDir, () => {});
}
const json = JSON.stringify({ extension: id, runs });
if (a.out) fs.writeFileSync(a.out, json);
console.log(json);
process.exit(code);
