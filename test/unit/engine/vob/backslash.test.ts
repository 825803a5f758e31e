import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { catVersion, checkin, chmaster, digest, fsimport, lsvtree, mkelem, mklabel, mktype } from '../../../../src/engine/sync';
import { fileUnder, oneHostVob } from './vobFixtures';
import { HostilePathError } from '../../../../src/engine/errors';

describe('a backslash in an element pathname', () => {
  let root: string;
  let ctx: { home: string };
  const tag = '/vobs/dev';
  beforeEach(async () => ({ root, ctx } = await oneHostVob('msbslash-', tag)));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const file = (name: string, content: string): string => fileUnder(root, name, content);

  function refusedNaming(input: string): (e: unknown) => boolean {
    return (e: unknown) => {
      assert.ok(e instanceof HostilePathError, String(e));
      assert.strictEqual(e.message, `Refusing path "${input}": a backslash is not a separator in an element pathname (use "/") and cannot be part of an element name.`);
      return true;
    };
  }

  it('is refused by mkelem, naming the path, and creates nothing (neither "a\\b" nor "a/b")', async () => {
    const before = await digest(ctx, { tag });
    await assert.rejects(mkelem(ctx, { tag, path: 'src\\a.c', from: file('v1', 'one\n') }), refusedNaming('src\\a.c'));
    assert.strictEqual(await digest(ctx, { tag }), before);
    await assert.rejects(lsvtree(ctx, { tag, path: 'src/a.c' }), /not found/);
  });

  it('does not reach an existing element "a/b" by another spelling in checkin, cat, mklabel or chmaster', async () => {
    await mkelem(ctx, { tag, path: 'src/a.c', from: file('v1', 'one\n') });
    await mktype(ctx, { tag, kind: 'lbtype', name: 'REL1' });
    await assert.rejects(checkin(ctx, { tag, path: 'src\\a.c', from: file('v2', 'two\n') }), refusedNaming('src\\a.c'));
    await assert.rejects(catVersion(ctx, { tag, version: 'src\\a.c@@/main/1' }), refusedNaming('src\\a.c'));
    await assert.rejects(mklabel(ctx, { tag, lbtype: 'REL1', version: 'src\\a.c@@/main/1' }), refusedNaming('src\\a.c'));
    await assert.rejects(chmaster(ctx, { tag, to: 'boston_hub', object: 'src\\a.c@@/main' }), refusedNaming('src\\a.c'));
    assert.deepStrictEqual(await lsvtree(ctx, { tag, path: 'src/a.c' }), ['src/a.c@@', 'src/a.c@@/main', 'src/a.c@@/main/0', 'src/a.c@@/main/1']);
  });

  it('in a file name makes fsimport refuse the whole tree, naming the file', async () => {
    if (process.platform === 'win32') return; // such a name cannot exist there
    const tree = path.join(root, 'tree');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'ok.c'), 'ok\n');
    fs.writeFileSync(path.join(tree, 'a\\b.c'), 'odd\n');
    const before = await digest(ctx, { tag });
    await assert.rejects(fsimport(ctx, { tag, dir: tree }), (e: unknown) => {
      assert.ok(e instanceof HostilePathError);
      assert.strictEqual(e.message, `Refusing path "${path.join(tree, 'a\\b.c')}": it cannot be an element pathname: it contains a backslash.`);
      return true;
    });
    assert.strictEqual(await digest(ctx, { tag }), before);
  });
});
