#!/usr/bin/env node
// The extension-host suite in desktop VS Code through @vscode/test-electron, for machines where a
// desktop VS Code can be had: `code` on PATH (its Electron binary is used), or VSCODE_DESKTOP=1
// (runTests downloads VS Code 1.100.3 into .cache/vscode-test/, git-ignored). The same suite as the code-server
// route (out/test/exthost, compiled by `npm test` or `npx tsc -p tsconfig.test.json`).
// On Linux without a display run it under `xvfb-run -a`.
//
// usage: node test/harness/electron.mjs [--summary FILE] [--version 1.100.3]
// exit:  0 passed, 1 failed, 2 could not run
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { ROOT } from './lib.mjs';

const { values: a } = parseArgs({ options: {
  summary: { type: 'string' },
  version: { type: 'string', default: '1.100.3' },
} });

/** The Electron executable behind the `code` launcher script on PATH, if there is one. */
function desktopExecutable() {
  const launcher = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim();
  if (!launcher) return undefined;
  const real = fs.realpathSync(launcher);
  // Linux: /usr/share/code/bin/code -> /usr/share/code/code; macOS: .../Contents/Resources/app/bin/code
  const candidates = [path.resolve(path.dirname(real), '..', 'code'),
    path.resolve(path.dirname(real), '..', '..', '..', 'MacOS', 'Electron'),
    path.resolve(path.dirname(real), '..', 'Code.exe')];
  return candidates.find((c) => fs.existsSync(c));
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-electron-'));
let code = 0;
try {
  const workspace = path.join(tmp, 'demo');
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'demo'), workspace, { recursive: true });
  const vscodeExecutablePath = desktopExecutable();
  if (!vscodeExecutablePath && process.env.VSCODE_DESKTOP !== '1') {
    throw new Error('no desktop VS Code: put `code` on PATH, or set VSCODE_DESKTOP=1 to let @vscode/test-electron download one');
  }
  const summary = a.summary ? path.resolve(a.summary) : path.join(tmp, 'summary.json');
  code = await runTests({
    ...(vscodeExecutablePath ? { vscodeExecutablePath } : { version: a.version, cachePath: path.join(ROOT, '.cache', 'vscode-test') }),
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'out', 'test', 'exthost'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
      '--user-data-dir', path.join(tmp, 'user-data'), '--extensions-dir', path.join(tmp, 'extensions')],
    extensionTestsEnv: { MULTISITE_HOME: path.join(tmp, 'no-host-here'), MULTISITE_MOCHA_SUMMARY: summary },
  });
  if (a.summary && !fs.existsSync(summary)) throw new Error('the suite wrote no summary');
} catch (e) {
  console.error(`electron: ${e?.message ?? e}`);
  code = /fail/i.test(String(e?.message ?? e)) ? 1 : 2;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(code === 0 ? 0 : code);
