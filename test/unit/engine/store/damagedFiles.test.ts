import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProgram } from '../../../../src/cli/run';

/**
 * Replica files damaged outside the engine (a bad copy, a disk error, an edit): every command
 * either carries on (a snapshot is only a cache) or fails in one clear line naming the file,
 * never with an internal error.
 */
describe('damaged replica files', () => {
  let root: string;
  let home: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msdamaged-'));
    home = path.join(root, 'home');
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

  async function replicaDir(): Promise<string> {
    await must('mkhost', '-name', 'hosta');
    await must('mkvob', '-tag', '/vobs/dev', '-replica', 'boston');
    fs.writeFileSync(path.join(root, 'a.c'), 'int main;\n');
    await must('mkelem', '-invob', '/vobs/dev', '-from', path.join(root, 'a.c'), 'a.c');
    const vobs = path.join(home, 'vobs');
    return path.join(vobs, fs.readdirSync(vobs).find((n) => n.endsWith('.vbs')) as string);
  }

  const COMMANDS = [['lsepoch', '-invob', '/vobs/dev'], ['lsreplica', '-invob', '/vobs/dev'], ['digest', '-invob', '/vobs/dev'], ['mkbrtype', '-invob', '/vobs/dev', 'dev']];

  for (const [what, text] of [
    ['cut short', '{"rows":{"x":{'],
    ['garbage', '\u0000\u00ff garbage'],
    ['a list', '[]'],
    ['rows of the wrong kind', '{"rows":[1],"incarnations":{},"exportSyncs":[],"sequence":0}'],
  ]) {
    it(`refuses epochs.json ${what} in one line naming it, from readers and writers alike`, async () => {
      const dir = await replicaDir();
      const file = path.join(dir, 'epochs.json');
      fs.writeFileSync(file, text);
      for (const argv of COMMANDS) {
        const r = await mt(...argv);
        assert.strictEqual(r.status, 1, `${argv.join(' ')}: ${r.err.join('\n')}`);
        assert.strictEqual(r.err.length, 1, r.err.join('\n'));
        assert.match(r.err[0], /^multitool: Error: Cannot open replica storage .*: epochs\.json is damaged \(.+\); restore it from backup, or remove it/);
      }
      // Nothing was written over it.
      assert.strictEqual(fs.readFileSync(file, 'utf8'), text);
    });
  }

  it('takes a removed epochs.json for a replica whose siblings have nothing', async () => {
    const dir = await replicaDir();
    fs.rmSync(path.join(dir, 'epochs.json'));
    for (const argv of COMMANDS) await must(...argv);
  });

  for (const [what, text] of [
    ['null', 'null'],
    ['an empty object', '{}'],
    ['a list', '[]'],
  ]) {
    it(`calls replica.json holding ${what} damaged, not missing nor newer`, async () => {
      const dir = await replicaDir();
      fs.writeFileSync(path.join(dir, 'replica.json'), text);
      const r = await mt('lsvtree', '-invob', '/vobs/dev', 'a.c');
      assert.strictEqual(r.status, 1, r.err.join('\n'));
      assert.deepStrictEqual(r.err, [`multitool: Error: ${dir} is not a replica storage directory: replica.json is damaged (not a replica identity).`]);
    });
  }

  describe('an oplog damaged before its last line', () => {
    async function damaged(): Promise<string> {
      const dir = await replicaDir();
      await must('mkelem', '-invob', '/vobs/dev', '-from', path.join(root, 'a.c'), 'b.c');
      const file = path.join(dir, 'oplog');
      const bytes = fs.readFileSync(file);
      const lineStarts = [0, ...[...bytes.entries()].filter(([, c]) => c === 0x0a).map(([i]) => i + 1)].filter((i) => i < bytes.length);
      assert.ok(lineStarts.length >= 3, `${lineStarts.length} oplog lines`);
      // One bit of the line that made a.c: the line after it (b.c) is valid.
      bytes[lineStarts[1] + 20] ^= 1;
      fs.writeFileSync(file, bytes);
      return dir;
    }

    it('is reported by readers as by writers, not shown as a shorter history', async () => {
      await damaged();
      for (const argv of [['lsvtree', '-invob', '/vobs/dev', 'b.c'], ['digest', '-invob', '/vobs/dev'], ['lsepoch', '-invob', '/vobs/dev'], ['mkbrtype', '-invob', '/vobs/dev', 'dev']]) {
        const r = await mt(...argv);
        assert.strictEqual(r.status, 1, `${argv.join(' ')}: ${r.out.join('\n')} ${r.err.join('\n')}`);
        assert.strictEqual(r.err.length, 1, r.err.join('\n'));
        assert.match(r.err[0], /^multitool: Error: Cannot open replica storage .*: the oplog is damaged at byte \d+ with valid entries after it; restore the replica from backup and run restorereplica\.$/);
      }
    });

    it('still ends a reader\'s scan quietly while a writer holds the lock (it may be committing)', async () => {
      const dir = await damaged();
      fs.writeFileSync(path.join(dir, 'replica.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), command: 'syncreplica -import', since: new Date().toISOString() }));
      const r = await mt('lsepoch', '-invob', '/vobs/dev');
      assert.strictEqual(r.status, 0, r.err.join('\n'));
      assert.ok(fs.existsSync(path.join(dir, 'replica.lock')), 'the writer\'s lock was taken away');
    });
  });
});
