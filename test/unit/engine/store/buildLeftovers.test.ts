import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProgram } from '../../../../src/cli/run';

/**
 * mkreplica -import builds the new storage in `<dir>.new-<pid>-<time>` and renames it into
 * place, then registers the tag. What a kill -9 leaves at each stage must be taken care of by
 * the re-run: a half-built directory reclaimed, a finished but unregistered one registered.
 */
describe('mkreplica after a killed run', () => {
  let root: string;
  let a: string;
  let b: string;
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msleft-'));
    a = path.join(root, 'a');
    b = path.join(root, 'b');
    await must(a, 'mkhost', '-name', 'hosta');
    await must(b, 'mkhost', '-name', 'hostb');
    await must(a, 'addpeer', 'hostb', '-address', '127.0.0.1', '-port', '7201', '-home', b);
    await must(b, 'addpeer', 'hosta', '-address', '127.0.0.1', '-port', '7200', '-home', a);
    await must(a, 'mkvob', '-tag', '/vobs/dev', '-replica', 'boston');
    fs.writeFileSync(path.join(root, 'a.c'), 'int main;\n');
    await must(a, 'mkelem', '-invob', '/vobs/dev', '-from', path.join(root, 'a.c'), 'a.c');
    fs.mkdirSync(path.join(root, 'creation'));
    await must(a, 'mkreplica', '-export', '-workdir', path.join(root, 'wa'), '-out', path.join(root, 'creation', 'repl'), 'hostb:sanfran@/vobs/dev');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function mt(home: string, ...argv: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runProgram('multitool', argv, { home, cwd: root, env: {}, out: (l) => out.push(...l.split('\n')), err: (l) => err.push(...l.split('\n')) });
    return { status, out, err };
  }

  async function must(home: string, ...argv: string[]): Promise<string[]> {
    const r = await mt(home, ...argv);
    assert.strictEqual(r.status, 0, `multitool ${argv.join(' ')}: ${r.err.join('\n')}`);
    return r.out;
  }

  const importArgs = (): string[] => ['mkreplica', '-import', '-workdir', path.join(root, 'wb'), '-tag', '/vobs/dev', path.join(root, 'creation', 'repl')];

  /** The pid of a process that has exited. */
  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(r.stdout);
  }

  it('reclaims the half-built storage a killed run left, and only a dead builder\'s', async () => {
    const vobs = path.join(b, 'vobs');
    fs.mkdirSync(vobs, { recursive: true });
    const dead = path.join(vobs, `vobs_dev_x.vbs.new-${deadPid()}-mwr9ceip`);
    const alive = path.join(vobs, `vobs_dev_x.vbs.new-${process.pid}-mwr9ceip`);
    fs.mkdirSync(path.join(dead, 'blobs'), { recursive: true });
    fs.writeFileSync(path.join(dead, 'oplog'), 'x'.repeat(1000));
    fs.mkdirSync(alive);
    const out = await must(b, ...importArgs(), '-vob', path.join(vobs, 'vobs_dev_x.vbs'));
    assert.match(out.join('\n'), /Created replica "sanfran"/);
    assert.ok(!fs.existsSync(dead), 'a dead builder\'s directory stays');
    assert.ok(fs.existsSync(alive), 'a live builder\'s directory was removed');
  });

  it('has mkvob reclaim what a killed mkvob left for the same directory', async () => {
    const vobs = path.join(a, 'vobs');
    const dead = path.join(vobs, `vobs_new_x.vbs.new-${deadPid()}-mwr9ceip`);
    fs.mkdirSync(path.join(dead, 'blobs'), { recursive: true });
    await must(a, 'mkvob', '-tag', '/vobs/new', '-replica', 'paris', '-vob', path.join(vobs, 'vobs_new_x.vbs'));
    assert.ok(!fs.existsSync(dead), 'a dead builder\'s directory stays');
  });

  it('registers the finished storage of a run killed before it registered it', async () => {
    await must(b, ...importArgs());
    const digest = await must(b, 'digest', '-invob', '/vobs/dev');
    // As if killed between the rename and the registration.
    const registry = path.join(b, 'vobs', 'vob_tags.json');
    fs.writeFileSync(registry, JSON.stringify({ tags: {} }));
    const out = await must(b, ...importArgs());
    assert.match(out.join('\n'), /Created replica "sanfran" of VOB "\/vobs\/dev"/);
    assert.deepStrictEqual(await must(b, 'digest', '-invob', '/vobs/dev'), digest);
    assert.deepStrictEqual(await must(b, 'digest', '-invob', '/vobs/dev'), await must(a, 'digest', '-invob', '/vobs/dev'));
  });

  it('still refuses a storage directory that holds something else', async () => {
    await must(b, ...importArgs());
    const registry = path.join(b, 'vobs', 'vob_tags.json');
    const vbs = fs.readdirSync(path.join(b, 'vobs')).find((n) => n.endsWith('.vbs')) as string;
    const id = path.join(b, 'vobs', vbs, 'replica.json');
    fs.writeFileSync(id, fs.readFileSync(id, 'utf8').replace('"tag":"/vobs/dev"', '"tag":"/vobs/other"'));
    fs.writeFileSync(registry, JSON.stringify({ tags: {} }));
    const r = await mt(b, ...importArgs());
    assert.strictEqual(r.status, 1);
    assert.match(r.err[0], /Storage directory .* already exists; choose another with -vob\./);
  });

  describe('mkreplica -export after a stopped run', () => {
    function aEpochs(): string {
      const vobs = path.join(a, 'vobs');
      return path.join(vobs, fs.readdirSync(vobs).find((n) => n.endsWith('.vbs')) as string, 'epochs.json');
    }

    const exportArgs = (): string[] => ['mkreplica', '-export', '-workdir', path.join(root, 'wa'), '-out', path.join(root, 'creation', 'repl'), 'hostb:sanfran@/vobs/dev'];

    it('writes the creation packet of the replica object it recorded but did not finish', async () => {
      // As if killed after recording the object (epochs.json saved with it) and before the packet was whole.
      const file = aEpochs();
      const epochs = JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: Record<string, object>; creating?: string[] };
      assert.strictEqual(epochs.creating, undefined, 'a finished export leaves nothing to finish');
      // With an object never recorded (killed just before recording it): forgotten.
      epochs.creating = ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', Object.keys(epochs.rows).find((k) => Object.keys(epochs.rows[k]).length === 0) as string];
      fs.writeFileSync(file, JSON.stringify(epochs));
      fs.rmSync(path.join(root, 'creation', 'repl'));
      const r = await mt(a, ...exportArgs());
      assert.strictEqual(r.status, 0, r.err.join('\n'));
      assert.deepStrictEqual(r.err, ['multitool: Warning: Replica object "sanfran" was created by a mkreplica -export that did not finish; writing its creation packet again.']);
      assert.strictEqual((JSON.parse(fs.readFileSync(file, 'utf8')) as { creating?: string[] }).creating, undefined);
      await must(b, ...importArgs());
      assert.deepStrictEqual(await must(b, 'digest', '-invob', '/vobs/dev'), await must(a, 'digest', '-invob', '/vobs/dev'));
      const lines = (await must(a, 'lsreplica', '-invob', '/vobs/dev')).filter((l) => l.includes('sanfran'));
      assert.strictEqual(lines.length, 1, 'the object was recorded twice');
    });

    it('still refuses the name of a replica whose creation packet was written', async () => {
      const r = await mt(a, ...exportArgs());
      assert.strictEqual(r.status, 1);
      assert.deepStrictEqual(r.err, ['multitool: Error: Replica sanfran already exists.']);
    });
  });
});
