import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { digest, fsimport, mkelem, mkhost, mkvob } from '../../../../src/engine/sync';

/** A path is a file element or a directory of elements, never both. */
describe('element namespace', () => {
  let root: string;
  let ctx: { home: string };
  const tag = '/vobs/dev';
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msns-'));
    ctx = { home: path.join(root, 'home') };
    mkhost(ctx.home, { name: 'boston' });
    await mkvob(ctx, { tag, replica: 'boston_hub' });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses an element below a file element, naming the file', async () => {
    await mkelem(ctx, { tag, path: 'src/ok.c' });
    await assert.rejects(mkelem(ctx, { tag, path: 'src/ok.c/sub' }), /Cannot create element "src\/ok\.c\/sub": "src\/ok\.c" is a file element, not a directory\./);
  });

  it('refuses a file element where elements already live below, naming one of them', async () => {
    await mkelem(ctx, { tag, path: 'src/lib/a.c' });
    await assert.rejects(mkelem(ctx, { tag, path: 'src/lib' }), /Cannot create element "src\/lib": it is a directory holding element "src\/lib\/a\.c"\./);
  });

  it('fsimport of a tree that would turn a file element into a directory changes nothing', async () => {
    await mkelem(ctx, { tag, path: 'docs' });
    const before = await digest(ctx, { tag });
    const dir = path.join(root, 'tree');
    fs.mkdirSync(path.join(dir, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'docs', 'guide.md'), '# guide\n');
    fs.writeFileSync(path.join(dir, 'README'), 'readme\n');
    await assert.rejects(fsimport(ctx, { tag, dir }), /"docs" is a file element, not a directory/);
    assert.strictEqual(await digest(ctx, { tag }), before);
  });
});
