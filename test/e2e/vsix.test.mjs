// The packaged extension, as a user gets it: `vsce package` (the bundles `npm test` just built),
// installed into code-server with --install-extension, then the workbench without any
// development path must show the MultiSite container and a coloured shipping.conf.
import assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, CODE_SERVER_ENTRY, makeRunDir, isolatedEnv, startCodeServer, launchBrowser, workbenchUrl, disposeRunDir } from '../harness/lib.mjs';

const require = createRequire(import.meta.url);
const VSCE = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('the packaged extension (.vsix) installed in code-server', function () {
  let runDir, vsix, cs, ctx, page;

  before(() => {
    runDir = makeRunDir('ms-vsix-');
    vsix = path.join(runDir, 'multisite.vsix');
  });

  after(async function () {
    this.timeout(30_000);
    try { await ctx?.close(); } catch { /* closed */ }
    await cs?.stop();
    if (runDir) disposeRunDir(runDir, () => {});
  });

  it('packages with vsce and installs with code-server --install-extension', function () {
    this.timeout(120_000);
    const p = spawnSync(process.execPath, [VSCE, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix],
      { cwd: ROOT, encoding: 'utf8' });
    assert.strictEqual(p.status, 0, `vsce package: ${p.stderr || p.stdout}`);
    const args = ['--extensions-dir', path.join(runDir, 'extensions'), '--user-data-dir', path.join(runDir, 'user-data')];
    const env = isolatedEnv(runDir, { EXTENSIONS_GALLERY: '{}' });
    const i = spawnSync(process.execPath, [CODE_SERVER_ENTRY, ...args, '--install-extension', vsix], { env, encoding: 'utf8' });
    assert.strictEqual(i.status, 0, `--install-extension: ${i.stderr || i.stdout}`);
    const l = spawnSync(process.execPath, [CODE_SERVER_ENTRY, ...args, '--list-extensions', '--show-versions'], { env, encoding: 'utf8' });
    assert.ok(l.stdout.split('\n').includes(`${pkg.publisher}.${pkg.name}@${pkg.version}`), l.stdout);
    const installed = fs.readdirSync(path.join(runDir, 'extensions')).find((d) => d.startsWith(`${pkg.publisher}.${pkg.name}-`));
    assert.ok(installed);
    const files = fs.readdirSync(path.join(runDir, 'extensions', installed, 'dist')).filter((f) => !fs.statSync(path.join(runDir, 'extensions', installed, 'dist', f)).isDirectory());
    assert.deepStrictEqual(files.sort(), ['cli.js', 'engineApi.js', 'extension.js', 'server.js']);
  });

  it('shows the MultiSite container and a coloured shipping.conf without a development path', async function () {
    this.timeout(150_000);
    assert.ok(fs.existsSync(path.join(runDir, 'extensions')), 'installed by the test before');
    const ws = path.join(runDir, 'demo');
    fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'demo'), ws, { recursive: true });
    cs = await startCodeServer(runDir, { extensionsDir: path.join(runDir, 'extensions'), env: { MULTISITE_HOME: path.join(runDir, 'no-host-here') } });
    ctx = await launchBrowser(runDir);
    page = ctx.pages()[0] ?? await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(workbenchUrl(cs.port, { folder: ws }));
    await page.locator('.part.activitybar a.action-label[aria-label^="MultiSite"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.part.sidebar .welcome-view-content').length >= 3);
    assert.doesNotMatch(await page.title(), /Extension Development Host/);
    await page.locator('.monaco-workbench').press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.fill('shipping.conf');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'shipping.conf' }).first().waitFor();
    await input.press('Enter');
    await page.waitForFunction(() => /shipping\.conf/.test(document.querySelector('#status\\.editor\\.mode')?.textContent ?? ''));
    await page.waitForFunction(() => {
      const spans = [...document.querySelectorAll('.editor-instance .view-lines .view-line span span')];
      const kw = spans.find((s) => s.textContent === 'MAX-DATA-SIZE');
      const plain = spans.find((s) => (s.textContent ?? '').includes('vobadm@'));
      return kw && plain && getComputedStyle(kw).color !== getComputedStyle(plain).color;
    });
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'installed-vsix.png') });
  });
});
