// The real workbench (code-server) in headless chromium, driven like a person would: the
// MultiSite container, its three views with their welcome text, and a coloured shipping.conf.
// Screenshots go to test-output/screenshots/.
import assert from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, makeRunDir, startCodeServer, launchBrowser, workbenchUrl, disposeRunDir, showMultiSite, workbenchDiagnostics, runCommand } from '../harness/lib.mjs';

const SHOTS = path.join(ROOT, 'test-output', 'screenshots');

describe('the MultiSite workbench in a browser', function () {
  let runDir, cs, ctx, page;

  before(async function () {
    this.timeout(180_000);
    fs.mkdirSync(SHOTS, { recursive: true });
    runDir = makeRunDir('ms-e2e-');
    const ws = path.join(runDir, 'demo');
    fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'demo'), ws, { recursive: true });
    cs = await startCodeServer(runDir, {
      env: { MULTISITE_HOME: path.join(runDir, 'no-host-here') },
      userSettings: { 'workbench.startupEditor': 'none', 'chat.commandCenter.enabled': false },
    });
    ctx = await launchBrowser(runDir);
    page = ctx.pages()[0] ?? await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(workbenchUrl(cs.port, { folder: ws, devExt: ROOT }));
    await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90_000 });
  });

  after(async function () {
    this.timeout(30_000);
    if (page && this.currentTest?.state === 'failed') {
      try { await page.screenshot({ path: path.join(SHOTS, 'failure.png') }); } catch { /* page gone */ }
    }
    try { await ctx?.close(); } catch { /* closed */ }
    await cs?.stop();
    if (runDir) disposeRunDir(runDir, () => {});
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const name = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      try { await page.screenshot({ path: path.join(SHOTS, `failed-${name}.png`) }); } catch { /* page gone */ }
    }
  });

  it('shows a MultiSite container in the activity bar that opens the side bar', async () => {
    const icon = page.locator('.part.activitybar a.action-label[aria-label^="MultiSite"]');
    await icon.waitFor();
    await icon.click();
    // textContent: CSS upper-cases the visible title
    const title = page.locator('.part.sidebar .composite.title h2');
    await page.waitForFunction(() => /MultiSite/.test(document.querySelector('.part.sidebar .composite.title h2')?.textContent ?? ''));
    assert.match(await title.textContent(), /MultiSite/);
  });

  it('lists the views Replicas, Storage Bays and Packets, each saying what to do without a host', async () => {
    const headers = page.locator('.part.sidebar .pane-header h3.title');
    await page.waitForFunction(() => document.querySelectorAll('.part.sidebar .pane-header h3.title').length >= 3);
    const titles = (await headers.allTextContents()).map((t) => t.trim());
    assert.deepStrictEqual(titles, ['Replicas', 'Storage Bays', 'Packets']);
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    // the welcome views render before the extension activates and again when it sets
    // multisite.hasHost: wait until all three show their text
    await page.waitForFunction(() => {
      const els = [...document.querySelectorAll('.part.sidebar .welcome-view-content')];
      return els.length === 3 && els.every((e) => /No MultiSite host is configured/.test(e.innerText));
    }).catch(async (e) => {
      throw new Error(`welcome views: ${JSON.stringify(await welcome.allInnerTexts())} (${e.message.split('\n')[0]})`);
    });
    const texts = await welcome.allInnerTexts();
    assert.strictEqual(texts.length, 3, JSON.stringify(texts));
    for (const t of texts) assert.match(t, /No MultiSite host is configured/);
    assert.match(texts[0], /multitool mkhost/);
    const buttons = await page.locator('.part.sidebar .welcome-view-content .monaco-button', { hasText: 'Open Settings' }).count();
    assert.strictEqual(buttons, 3);
    await page.screenshot({ path: path.join(SHOTS, 'multisite-container.png') });
  });

  it('opens shipping.conf as the shipping.conf language with keywords, comments and paths in different colours', async () => {
    await page.locator('.monaco-workbench').press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('shipping.conf');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'shipping.conf' }).first().waitFor();
    await input.press('Enter');
    await page.locator('.tabs-container .tab.active[data-resource-name="shipping.conf"]').waitFor();
    await page.locator('.editor-instance .view-lines .view-line', { hasText: 'MAX-DATA-SIZE' }).first().waitFor();
    const mode = page.locator('.statusbar-item#status\\.editor\\.mode');
    await page.waitForFunction(() => /shipping\.conf/.test(document.querySelector('#status\\.editor\\.mode')?.textContent ?? ''));
    assert.match(await mode.textContent(), /shipping\.conf/);
    // Tokenisation is asynchronous: wait until the keyword is no longer in the default colour.
    const colours = await page.waitForFunction(() => {
      const spans = [...document.querySelectorAll('.editor-instance .view-lines .view-line span span')];
      const colourOf = (pred) => {
        const s = spans.find((x) => pred(x.textContent ?? ''));
        return s ? getComputedStyle(s).color : undefined;
      };
      const c = {
        keyword: colourOf((t) => t === 'MAX-DATA-SIZE'),
        comment: colourOf((t) => t.startsWith('#')),
        path: colourOf((t) => t.startsWith('/opt/')),
        plain: colourOf((t) => t.includes('vobadm@')),
      };
      return c.keyword && c.comment && c.path && c.plain && c.keyword !== c.plain ? c : false;
    }, undefined, { timeout: 30_000 }).then((h) => h.jsonValue());
    assert.notStrictEqual(colours.keyword, colours.comment, JSON.stringify(colours));
    assert.notStrictEqual(colours.path, colours.plain, JSON.stringify(colours));
    assert.notStrictEqual(colours.comment, colours.plain, JSON.stringify(colours));
    await page.screenshot({ path: path.join(SHOTS, 'shipping-conf.png') });
  });

  it('replaces the welcome text with the host once multisite.hosts names a host home, and a reloaded window keeps it', async function () {
    this.timeout(240_000);
    const home = path.join(runDir, 'hosts', 'boston');
    fs.mkdirSync(path.join(home, 'config'), { recursive: true });
    fs.writeFileSync(path.join(home, 'config', 'site.ini'), '[host]\nname = boston\naddress = 127.0.0.1\nport = 7101\n');
    // As an administrator would: the remote settings JSON (a code-server window is a remote one,
    // and VS Code reads machine-scoped settings such as multisite.hosts only from the remote
    // settings there), edited in the editor and saved. The open window gets the change at once.
    await runCommand(page, 'Preferences: Open Remote Settings (JSON)');
    await page.locator('.tabs-container .tab.active[data-resource-name="settings.json"]').waitFor();
    await page.locator('.editor-instance .monaco-editor .view-lines').click();
    // emptied first: with a selection, a typed '{' surrounds it instead of replacing it
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    // inserted in one input event, as a paste: typed key by key, the editor's auto-closing quotes
    // and key suggestions would add characters of their own
    await page.keyboard.insertText(`{"multisite.hosts": ["${home}"]}`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+S');
    const settings = path.join(runDir, 'user-data', 'Machine', 'settings.json');
    await waitUntil(() => fs.existsSync(settings) && fs.readFileSync(settings, 'utf8').includes(home), 'the remote settings.json saved with multisite.hosts');
    const saved = fs.readFileSync(settings, 'utf8');
    assert.deepStrictEqual(JSON.parse(saved), { 'multisite.hosts': [home] }, saved);
    await showMultiSite(page);
    await hostShown(page, 'in the open window');
    await page.screenshot({ path: path.join(SHOTS, 'multisite-host.png') });

    await page.reload();
    await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90_000 });
    await showMultiSite(page);
    await hostShown(page, 'after a reload');
  });

  async function waitUntil(cond, what, ms = 30_000) {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      if (cond()) return;
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** Waits for boston's row in Replicas and for the no-host welcome to be gone; says why not. */
  async function hostShown(page, when) {
    const row = page.locator('.part.sidebar .monaco-list[aria-label="Replicas"] .monaco-list-row', { hasText: 'boston' });
    try {
      // a window on a loaded 2-core machine (CI runs the unit tests alongside) can take longer
      // than the default 30 s to fill its views
      await row.waitFor({ timeout: 90_000 });
      assert.match(await row.innerText(), /127\.0\.0\.1:7101/);
      await page.waitForFunction(() => ![...document.querySelectorAll('.part.sidebar .welcome-view-content')]
        .some((e) => e.offsetParent !== null && /No MultiSite host is configured/.test(e.textContent ?? '')));
    } catch (e) {
      throw new Error(`host boston not shown ${when}: ${e.message.split('\n')[0]}\n${await workbenchDiagnostics(page, runDir)}`);
    }
  }
});
