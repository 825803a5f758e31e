import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProgram } from '../../../../src/cli/run';

/**
 * Content whose pack was cut short (a bad copy, a disk error): a range read past a file's end
 * just ends early, so without a check a reader takes the short content for the whole.
 */
describe('a pack cut short', () => {
  let root: string;
  let home: string;
  let packFile: string;
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msdamagedpack-'));
    home = path.join(root, 'home');
    await must('mkhost', '-name', 'hosta');
    await must('mkvob', '-tag', '/vobs/dev', '-replica', 'boston');
    const tree = path.join(root, 'tree');
    fs.mkdirSync(tree);
    // Enough files for one pack; random-ish bytes, so they are kept raw.
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(tree, `f${i}.bin`), Buffer.from(Array.from({ length: 600 + i }, (_, k) => (k * 7919 + i * 104729) % 251)));
    await must('fsimport', '-invob', '/vobs/dev', '-c', 'one', tree);
    const vobs = path.join(home, 'vobs');
    const packs = path.join(vobs, fs.readdirSync(vobs).find((n) => n.endsWith('.vbs')) as string, 'blobs', 'packs');
    packFile = path.join(packs, fs.readdirSync(packs).find((n) => n.endsWith('.pack')) as string);
    fs.truncateSync(packFile, Math.floor(fs.statSync(packFile).size / 2));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function mt(...argv: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runProgram('multitool', argv, { home, cwd: root, env: {}, out: (l) => out.push(...l.split('\n')), err: (l) => err.push(...l.split('\n')) });
    return { status, out, err };
  }

  async function must(...argv: string[]): Promise<string[]> {
    const r = await mt(...argv);
    assert.strictEqual(r.status, 0, `multitool ${argv.join(' ')}: ${r.err.join('\n')}`);
    return r.out;
  }

  const DAMAGED = /^multitool: Error: Content [0-9a-f]{64} in .* is damaged: its pack pack-[0-9a-f-]+\.pack (holds \d+ of its \d+ bytes|ends before its \d+ bytes); restore the replica from backup\.$/;

  it('fails cat of content past the cut rather than give it short, and leaves the -to file as it was', async () => {
    // The last file stored lies past the middle of the pack.
    fs.writeFileSync(path.join(root, 'out.bin'), 'kept\n');
    const r = await mt('cat', '-invob', '/vobs/dev', '-to', path.join(root, 'out.bin'), 'f39.bin@@/main/1');
    assert.strictEqual(r.status, 1, r.err.join('\n'));
    assert.strictEqual(r.err.length, 1, r.err.join('\n'));
    assert.match(r.err[0], DAMAGED);
    assert.strictEqual(fs.readFileSync(path.join(root, 'out.bin'), 'utf8'), 'kept\n');
    const again = await mt('cat', '-invob', '/vobs/dev', '-to', path.join(root, 'new.bin'), 'f39.bin@@/main/1');
    assert.strictEqual(again.status, 1);
    assert.deepStrictEqual(fs.readdirSync(root).sort(), ['home', 'out.bin', 'tree']);
  });

  it('still gives content before the cut', async () => {
    await must('cat', '-invob', '/vobs/dev', '-to', path.join(root, 'out.bin'), 'f0.bin@@/main/1');
    assert.strictEqual(fs.statSync(path.join(root, 'out.bin')).size, 600);
  });

  it('fails an export that needs it naming the damage, not "changed while it was being exported"', async () => {
    fs.mkdirSync(path.join(root, 'creation'));
    const r = await mt('mkreplica', '-export', '-workdir', path.join(root, 'w'), '-out', path.join(root, 'creation', 'repl'), 'hostb:sanfran@/vobs/dev');
    assert.strictEqual(r.status, 1, r.err.join('\n'));
    assert.match(r.err[r.err.length - 1], DAMAGED);
    assert.deepStrictEqual(fs.readdirSync(path.join(root, 'creation')), []);
  });
});

describe('deflated content damaged', () => {
  let root: string;
  let home: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msdamageddeflate-'));
    home = path.join(root, 'home');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function mt(...argv: string[]): Promise<{ status: number; err: string[] }> {
    const err: string[] = [];
    const status = await runProgram('multitool', argv, { home, cwd: root, env: {}, out: () => undefined, err: (l) => err.push(...l.split('\n')) });
    return { status, err };
  }

  for (const [what, damage] of [
    ['cut short', (f: string): void => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
    ['overwritten', (f: string): void => fs.writeFileSync(f, 'garbage\n')],
  ] as const) {
    it(`fails cat in one line naming the content when its deflated file is ${what}`, async () => {
      assert.strictEqual((await mt('mkhost', '-name', 'hosta')).status, 0);
      assert.strictEqual((await mt('mkvob', '-tag', '/vobs/dev', '-replica', 'boston')).status, 0);
      fs.writeFileSync(path.join(root, 'a.txt'), 'hello world line\n'.repeat(200));
      assert.strictEqual((await mt('mkelem', '-invob', '/vobs/dev', '-from', path.join(root, 'a.txt'), 'a.txt')).status, 0);
      const vobs = path.join(home, 'vobs');
      const blobs = path.join(vobs, fs.readdirSync(vobs).find((n) => n.endsWith('.vbs')) as string, 'blobs');
      const deflated = fs.readdirSync(blobs, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.d'));
      assert.strictEqual(deflated.length, 1, 'the text was not kept deflated');
      damage(path.join(blobs, deflated[0]));
      const r = await mt('cat', '-invob', '/vobs/dev', '-to', path.join(root, 'out.txt'), 'a.txt@@/main/1');
      assert.strictEqual(r.status, 1, r.err.join('\n'));
      assert.strictEqual(r.err.length, 1, r.err.join('\n'));
      assert.match(r.err[0], /^multitool: Error: Content [0-9a-f]{64} in .* is damaged: (its deflated bytes do not inflate \(.+\)|it reads as \d+ bytes where 3400 were recorded); restore the replica from backup\.$/);
    });
  }
});
