import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { catVersion, checkin, chmaster, digest, fsimport, lsvtree, mkelem, mkhost, mklabel, mktype, mkvob } from '../../../../src/engine/sync';
import { HostilePathError } from '../../../../src/engine/errors';

async function text(s: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('VOB content', () => {
  let root: string;
  let ctx: { home: string };
  const tag = '/vobs/dev';
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msvob-'));
    ctx = { home: path.join(root, 'home') };
    mkhost(ctx.home, { name: 'boston' });
    await mkvob(ctx, { tag, replica: 'boston_hub' });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function file(name: string, content: string): string {
    const f = path.join(root, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
    return f;
  }

  it('builds a version tree with branches and labels and returns each version\'s content', async () => {
    await mkelem(ctx, { tag, path: 'src/a.c', from: file('v1', 'one\n') });
    await checkin(ctx, { tag, path: 'src/a.c', from: file('v2', 'two\n') });
    await mktype(ctx, { tag, kind: 'brtype', name: 'dev' });
    const onDev = await checkin(ctx, { tag, path: './src/a.c', from: file('d1', 'dev one\n'), branch: 'dev' });
    assert.strictEqual(onDev.version, '/main/dev/1');
    await mktype(ctx, { tag, kind: 'lbtype', name: 'REL1' });
    await mklabel(ctx, { tag, lbtype: 'REL1', version: 'src/a.c@@/main/1' });
    await assert.rejects(mklabel(ctx, { tag, lbtype: 'REL1', version: 'src/a.c@@/main/2' }), /already on "src\/a.c" version "\/main\/1"; use -replace/);
    const moved = await mklabel(ctx, { tag, lbtype: 'REL1', version: 'src/a.c@@/main/2', replace: true });
    assert.strictEqual(moved.movedFrom, '/main/1');
    assert.deepStrictEqual(await lsvtree(ctx, { tag, path: 'src/a.c' }), [
      'src/a.c@@',
      'src/a.c@@/main',
      'src/a.c@@/main/0',
      'src/a.c@@/main/1',
      'src/a.c@@/main/2 (REL1)',
      'src/a.c@@/main/dev',
      'src/a.c@@/main/dev/0',
      'src/a.c@@/main/dev/1',
    ]);
    assert.strictEqual(await text(await catVersion(ctx, { tag, version: 'src/a.c@@/main/1' })), 'one\n');
    assert.strictEqual(await text(await catVersion(ctx, { tag, version: 'src/a.c@@/main/0' })), '');
    await assert.rejects(catVersion(ctx, { tag, version: 'src/a.c@@/main/9' }), /Version "src\/a.c@@\/main\/9" not found/);
  });

  it('changes the digest with content and not otherwise', async () => {
    const d0 = await digest(ctx, { tag });
    assert.match(d0, /^[0-9a-f]{64}$/);
    await mkelem(ctx, { tag, path: 'a', from: file('a', 'x') });
    const d1 = await digest(ctx, { tag });
    assert.notStrictEqual(d1, d0);
    assert.strictEqual(await digest(ctx, { tag }), d1);
  });

  it('refuses element pathnames that leave the VOB', async () => {
    for (const p of ['../x', '/etc/passwd', 'a/../../b']) await assert.rejects(mkelem(ctx, { tag, path: p }), HostilePathError, p);
  });

  it('hands mastership away and then refuses changes here, naming the new master', async () => {
    const { mkreplicaExport } = await import('../../../../src/engine/sync');
    await mkreplicaExport(ctx, { target: `boston:sanfran_hub@${tag}`, workdir: path.join(root, 'w'), out: path.join(root) });
    const r = await chmaster(ctx, { tag, to: 'sanfran_hub', object: 'brtype:main' });
    assert.deepStrictEqual(r, { object: 'branch type "main"', to: 'sanfran_hub' });
    await assert.rejects(mkelem(ctx, { tag, path: 'b' }), /Unable to create element "b" in replica "boston_hub": master replica of branch type "main" is "sanfran_hub"\./);
    await assert.rejects(chmaster(ctx, { tag, to: 'boston_hub', object: 'brtype:main' }), /master replica of branch type "main" is "sanfran_hub"/);
  });

  describe('fsimport', () => {
    it('brings a tree in as elements, then makes new versions only where content changed', async () => {
      const dir = path.join(root, 'tree');
      file('tree/a.txt', 'a1');
      file('tree/sub/b.txt', 'b1');
      const first = await fsimport(ctx, { tag, dir });
      assert.deepStrictEqual(first.created.sort(), ['a.txt', 'sub/b.txt']);
      file('tree/a.txt', 'a2');
      file('tree/sub/c.txt', 'c1');
      const second = await fsimport(ctx, { tag, dir });
      assert.deepStrictEqual({ created: second.created, changed: second.changed, unchanged: second.unchanged }, { created: ['sub/c.txt'], changed: ['a.txt'], unchanged: 1 });
      assert.strictEqual(await text(await catVersion(ctx, { tag, version: 'a.txt@@/main/2' })), 'a2');
    });

    it('follows a symbolic link inside the tree and refuses the whole import for one leading outside', async () => {
      const dir = path.join(root, 'tree');
      file('tree/real.txt', 'inside');
      fs.symlinkSync('real.txt', path.join(dir, 'link.txt'));
      const ok = await fsimport(ctx, { tag, dir });
      assert.deepStrictEqual(ok.created.sort(), ['link.txt', 'real.txt']);
      file('secret', 'outside');
      file('tree/new.txt', 'n');
      fs.symlinkSync(path.join(root, 'secret'), path.join(dir, 'escape.txt'));
      const before = await digest(ctx, { tag });
      await assert.rejects(fsimport(ctx, { tag, dir }), (e: unknown) => e instanceof HostilePathError && /symbolic link to .*secret, outside/.test((e as Error).message));
      assert.strictEqual(await digest(ctx, { tag }), before, 'nothing was imported');
    });
  });
});
