import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkin, digest, fsimport, lsvtree, mkelem, mktype } from '../../../../src/engine/sync';
import { fileUnder, oneHostVob } from './vobFixtures';
import { IdenticalVersionError } from '../../../../src/engine/vob/errors';

describe('checkin of data identical to the predecessor', () => {
  let root: string;
  let ctx: { home: string };
  const tag = '/vobs/dev';
  beforeEach(async () => ({ root, ctx } = await oneHostVob('msident-', tag)));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const file = (name: string, content: string): string => fileUnder(root, name, content);

  function refusedFor(p: string, predecessor: string): (e: unknown) => boolean {
    return (e: unknown) => {
      assert.ok(e instanceof IdenticalVersionError, String(e));
      assert.strictEqual(e.message, `By default, won't create version with data identical to predecessor: "${p}" is unchanged from version "${predecessor}"; use -identical to check it in anyway.`);
      return true;
    };
  }

  it('refuses it by default, changing nothing, and creates the version with identical', async () => {
    await mkelem(ctx, { tag, path: 'a.c', from: file('v1', 'one\n') });
    await checkin(ctx, { tag, path: 'a.c', from: file('v2', 'two\n') });
    const before = await digest(ctx, { tag });
    await assert.rejects(checkin(ctx, { tag, path: 'a.c', from: file('again', 'two\n') }), refusedFor('a.c', '/main/2'));
    assert.strictEqual(await digest(ctx, { tag }), before);
    const made = await checkin(ctx, { tag, path: 'a.c', from: file('again', 'two\n'), identical: true });
    assert.strictEqual(made.version, '/main/3');
  });

  it('compares with the latest version only: data of an older version is a new version', async () => {
    await mkelem(ctx, { tag, path: 'a.c', from: file('v1', 'one\n') });
    await checkin(ctx, { tag, path: 'a.c', from: file('v2', 'two\n') });
    const back = await checkin(ctx, { tag, path: 'a.c', from: file('v1b', 'one\n') });
    assert.strictEqual(back.version, '/main/3');
  });

  it('refuses empty data on an element whose only version is the empty /main/0', async () => {
    await mkelem(ctx, { tag, path: 'empty.c' });
    await assert.rejects(checkin(ctx, { tag, path: 'empty.c', from: file('nothing', '') }), refusedFor('empty.c', '/main/0'));
    assert.strictEqual((await checkin(ctx, { tag, path: 'empty.c', from: file('some', 'x') })).version, '/main/1');
  });

  it('on a new branch compares with the version the branch sprouts from, and the branch is not created when refused', async () => {
    await mkelem(ctx, { tag, path: 'a.c', from: file('v1', 'one\n') });
    await mktype(ctx, { tag, kind: 'brtype', name: 'dev' });
    await assert.rejects(checkin(ctx, { tag, path: 'a.c', from: file('same', 'one\n'), branch: 'dev' }), refusedFor('a.c', '/main/1'));
    assert.deepStrictEqual(await lsvtree(ctx, { tag, path: 'a.c' }), ['a.c@@', 'a.c@@/main', 'a.c@@/main/0', 'a.c@@/main/1']);
    assert.strictEqual((await checkin(ctx, { tag, path: 'a.c', from: file('d1', 'dev\n'), branch: 'dev' })).version, '/main/dev/1');
    await assert.rejects(checkin(ctx, { tag, path: 'a.c', from: file('d1b', 'dev\n'), branch: 'dev' }), refusedFor('a.c', '/main/dev/1'));
    assert.strictEqual((await checkin(ctx, { tag, path: 'a.c', from: file('same', 'one\n'), branch: 'dev', identical: true })).version, '/main/dev/2');
  });

  it('leaves fsimport as it was: unchanged files are counted and skipped silently', async () => {
    const tree = path.join(root, 'tree');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'a.c'), 'one\n');
    fs.writeFileSync(path.join(tree, 'b.c'), 'bee\n');
    await fsimport(ctx, { tag, dir: tree });
    fs.writeFileSync(path.join(tree, 'b.c'), 'bee two\n');
    const second = await fsimport(ctx, { tag, dir: tree });
    assert.deepStrictEqual({ created: second.created, changed: second.changed, unchanged: second.unchanged }, { created: [], changed: ['b.c'], unchanged: 1 });
    const third = await fsimport(ctx, { tag, dir: tree });
    assert.deepStrictEqual({ changed: third.changed, unchanged: third.unchanged }, { changed: [], unchanged: 2 });
  });
});
