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

  it('fails cat of content past the cut rather than give it short', async () => {
    // The last file stored lies past the middle of the pack.
    const r = await mt('cat', '-invob', '/vobs/dev', '-to', path.join(root, 'out.bin'), 'f39.bin@@/main/1');
    assert.strictEqual(r.status, 1, r.err.join('\n'));
    assert.strictEqual(r.err.length, 1, r.err.join('\n'));
    assert.match(r.err[0], DAMAGED);
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
