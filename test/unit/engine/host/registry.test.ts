import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { checkin, listVobTags, lsvtree, mkelem, mkhost, mkvob } from '../../../../src/engine/sync';
import { hostLayout } from '../../../../src/engine/host/layout';
import { VobTagRegistryDamagedError, VobTagRegistryError } from '../../../../src/engine/host/errors';
import { runProgram } from '../../../../src/cli/run';

interface StoredRegistry {
  tags: Record<string, { tag: string; dir: string }>;
}

function stored(home: string): StoredRegistry {
  return JSON.parse(fs.readFileSync(hostLayout(home).vobTags, 'utf8')) as StoredRegistry;
}

describe('the VOB-tag registry', () => {
  let root: string;
  const tag = '/vobs/dev';
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msreg-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function file(name: string, content: string): string {
    const f = path.join(root, 'src', name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
    return f;
  }

  it('stores a replica directory inside the home relative to the home and lists it absolute', async () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    await mkvob({ home }, { tag, replica: 'boston_hub' });
    const dir = stored(home).tags[tag].dir;
    assert.ok(!path.isAbsolute(dir), `stored "${dir}" is relative`);
    assert.match(dir, /^vobs\/[^/]+\.vbs$/);
    const [listed] = listVobTags(hostLayout(home));
    assert.strictEqual(listed.dir, path.join(home, dir));
    assert.ok(fs.statSync(listed.dir).isDirectory());
  });

  it('keeps a directory outside the home absolute', async () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    const outside = path.join(root, 'storage', 'dev.vbs');
    await mkvob({ home }, { tag, replica: 'boston_hub', vobDir: outside });
    assert.strictEqual(stored(home).tags[tag].dir, outside);
    assert.strictEqual(listVobTags(hostLayout(home))[0].dir, outside);
  });

  it('lets a home copied with cp -a work on its own copy and leaves the original alone', async () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    await mkvob({ home }, { tag, replica: 'boston_hub' });
    await mkelem({ home }, { tag, path: 'a.c', from: file('v1', 'one\n') });
    const copy = path.join(root, 'copy-of-boston');
    execFileSync('cp', ['-a', home, copy]);

    await checkin({ home: copy }, { tag, path: 'a.c', from: file('v2', 'two\n') });

    assert.ok(listVobTags(hostLayout(copy))[0].dir.startsWith(copy + path.sep));
    assert.deepStrictEqual(await lsvtree({ home: copy }, { tag, path: 'a.c' }), ['a.c@@', 'a.c@@/main', 'a.c@@/main/0', 'a.c@@/main/1', 'a.c@@/main/2']);
    assert.deepStrictEqual(await lsvtree({ home }, { tag, path: 'a.c' }), ['a.c@@', 'a.c@@/main', 'a.c@@/main/0', 'a.c@@/main/1']);
  });

  it('still reads an old registry with an absolute path inside the home and writes it back relative', async () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    await mkvob({ home }, { tag, replica: 'boston_hub' });
    const l = hostLayout(home);
    const reg = stored(home);
    const abs = path.join(home, reg.tags[tag].dir);
    reg.tags[tag].dir = abs;
    fs.writeFileSync(l.vobTags, JSON.stringify(reg));

    assert.strictEqual(listVobTags(l)[0].dir, abs);
    await mkelem({ home }, { tag, path: 'a.c', from: file('v1', 'one\n') });
    await mkvob({ home }, { tag: '/vobs/other', replica: 'boston_other' });
    const after = stored(home);
    assert.ok(!path.isAbsolute(after.tags[tag].dir), 'the old entry was rewritten relative');
    assert.strictEqual(listVobTags(l).find((e) => e.tag === tag)?.dir, abs);
  });

  it('refuses an entry whose relative path leads outside the home, naming the tag and the path', async () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    await mkvob({ home }, { tag, replica: 'boston_hub' });
    const l = hostLayout(home);
    const reg = stored(home);
    reg.tags[tag].dir = '../elsewhere/dev.vbs';
    fs.writeFileSync(l.vobTags, JSON.stringify(reg));
    assert.throws(() => listVobTags(l), (e: unknown) => {
      assert.ok(e instanceof VobTagRegistryError);
      assert.match(e.message, /VOB tag "\/vobs\/dev" .* names storage "\.\.\/elsewhere\/dev\.vbs": it leads outside the host home/);
      return true;
    });
    await assert.rejects(mkelem({ home }, { tag, path: 'a.c', from: file('v1', 'one\n') }), VobTagRegistryError);
  });

  it('calls a damaged registry damaged, in one line, and never reads it as empty or rewrites it', async () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    await mkvob({ home }, { tag, replica: 'boston_hub' });
    const l = hostLayout(home);
    const good = fs.readFileSync(l.vobTags, 'utf8');
    const damaged: Array<[string, RegExp]> = [
      [good.slice(0, Math.floor(good.length / 2)), /it is not JSON/],
      ['', /it is not JSON/],
      ['null', /no "tags" object/],
      ['[]', /no "tags" object/],
      ['{"tags":null}', /no "tags" object/],
      [`{"tags":{"${tag}":null}}`, /the entry for "\/vobs\/dev" is not an object/],
      [`{"tags":{"${tag}":{"tag":"/vobs/other","dir":"x"}}}`, /names another tag/],
    ];
    for (const [text, reason] of damaged) {
      fs.writeFileSync(l.vobTags, text);
      assert.throws(() => listVobTags(l), (e: unknown) => e instanceof VobTagRegistryDamagedError && reason.test(e.message), `for ${JSON.stringify(text)}`);
      // A command that would register a tag must not replace the damaged file with a new one.
      await assert.rejects(mkvob({ home }, { tag: '/vobs/new', replica: 'boston_new' }), VobTagRegistryDamagedError);
      assert.strictEqual(fs.readFileSync(l.vobTags, 'utf8'), text);
      const out: string[] = [];
      const err: string[] = [];
      const status = await runProgram('multitool', ['lsvob'], { home, cwd: home, env: { MULTISITE_HOME: home }, out: (x) => out.push(x), err: (x) => err.push(x) });
      assert.strictEqual(status, 1, `for ${JSON.stringify(text)}`);
      assert.deepStrictEqual(out, []);
      assert.strictEqual(err.length, 1, err.join('\n'));
      assert.match(err[0], /^multitool: Error: The VOB-tag registry .*vob_tags\.json is damaged/);
    }
  });
});
