import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

interface Command { command: string; title: string; category?: string }
interface Manifest {
  main: string;
  activationEvents?: string[];
  contributes: {
    commands: Command[];
    views: Record<string, { id: string; name: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    viewsWelcome: { view: string; contents: string; when?: string }[];
    menus?: Record<string, { command: string }[]>;
    languages: { id: string; filenames?: string[]; filenamePatterns?: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const c = manifest.contributes;

describe('the extension manifest (package.json)', () => {
  it('never activates on startup: no "*" and no onStartupFinished', () => {
    for (const e of manifest.activationEvents ?? []) assert.ok(e !== '*' && e !== 'onStartupFinished', e);
  });

  it('gives every command a category and a title', () => {
    for (const cmd of c.commands) {
      assert.ok(cmd.title, `${cmd.command} has no title`);
      assert.strictEqual(cmd.category, 'MultiSite', `${cmd.command} category`);
    }
  });

  it('contributes every command that a menu or a welcome view refers to', () => {
    const contributed = new Set(c.commands.map((x) => x.command));
    for (const [menu, entries] of Object.entries(c.menus ?? {})) {
      for (const e of entries) assert.ok(contributed.has(e.command), `${menu} names ${e.command}`);
    }
    for (const w of c.viewsWelcome) {
      for (const m of w.contents.matchAll(/\(command:([\w.]+)/g)) assert.ok(contributed.has(m[1]), `welcome of ${w.view} names ${m[1]}`);
    }
  });

  it('has the three views in the MultiSite container, each with a welcome view for the no-host state', () => {
    assert.deepStrictEqual(c.viewsContainers.activitybar.map((x) => x.id), ['multisite']);
    assert.ok(fs.existsSync(path.join(ROOT, c.viewsContainers.activitybar[0].icon)));
    const views = c.views.multisite.map((v) => [v.id, v.name]);
    assert.deepStrictEqual(views, [['multisite.replicas', 'Replicas'], ['multisite.bays', 'Storage Bays'], ['multisite.packets', 'Packets']]);
    for (const [id] of views) {
      const w = c.viewsWelcome.find((x) => x.view === id);
      assert.ok(w, `no welcome view for ${id}`);
      assert.strictEqual(w.when, '!multisite.hasHost');
    }
  });

  it('associates shipping.conf files with a grammar and a language configuration that exist and parse', () => {
    const lang = c.languages.find((l) => l.id === 'shipping-conf');
    assert.ok(lang);
    assert.deepStrictEqual(lang.filenames, ['shipping.conf', 'shipping.conf.template']);
    assert.deepStrictEqual(lang.filenamePatterns, ['*.shipping.conf']);
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, lang.configuration), 'utf8')) as { comments: { lineComment: string } };
    assert.strictEqual(config.comments.lineComment, '#');
    const g = c.grammars.find((x) => x.language === 'shipping-conf');
    assert.ok(g);
    const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, g.path), 'utf8')) as { scopeName: string };
    assert.strictEqual(grammar.scopeName, g.scopeName);
  });
});
