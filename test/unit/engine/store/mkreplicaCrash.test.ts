import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProgram } from '../../../../src/cli/run';
import { prng } from '../sync/syncFixtures';
import { child as run, ensureCli } from '../faultsSupport';

/**
 * kill -9 of real `multitool mkreplica -export` and `-import` processes at random instants:
 * running the command again completes the work (the creation packet is written, the new
 * replica registered), whatever the instant, and nothing is left behind. MKREPLICA_CRASH_SEED=n
 * replays a run.
 */
describe('mkreplica killed at any instant (real processes)', function () {
  this.timeout(180_000);
  const seed = Number(process.env.MKREPLICA_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  let root: string;

  before(ensureCli);
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msmkrcrash-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function must(home: string, ...argv: string[]): Promise<string[]> {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runProgram('multitool', argv, { home, cwd: root, env: {}, out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l) });
    assert.strictEqual(status, 0, `multitool ${argv.join(' ')}: ${err.join('\n')} (seed ${seed})`);
    return out;
  }

  function replace(saved: string, home: string): void {
    fs.rmSync(home, { recursive: true, force: true });
    fs.cpSync(saved, home, { recursive: true });
  }

  it(`mkreplica -export and -import run again after a kill -9 complete the new replica (seed ${seed})`, async () => {
    const rnd = prng(seed);
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    await must(a, 'mkhost', '-name', 'hosta');
    await must(b, 'mkhost', '-name', 'hostb');
    await must(a, 'addpeer', 'hostb', '-address', '127.0.0.1', '-port', '7301', '-home', b);
    await must(b, 'addpeer', 'hosta', '-address', '127.0.0.1', '-port', '7300', '-home', a);
    await must(a, 'mkvob', '-tag', '/vobs/dev', '-replica', 'boston');
    const src = path.join(root, 'src');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 300; i++) {
        const f = path.join(src, `d${i % 5}`, `f${i}.txt`);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, `round ${round} file ${i} `.repeat(20 + ((i * 37) % 300)));
      }
      await must(a, 'fsimport', '-invob', '/vobs/dev', '-c', `round ${round}`, src);
    }
    const savedA = path.join(root, 'saved-a');
    const savedB = path.join(root, 'saved-b');
    fs.cpSync(a, savedA, { recursive: true });
    fs.cpSync(b, savedB, { recursive: true });
    const creation = path.join(root, 'creation');
    const rerunOut = path.join(root, 'rerun');
    const exportArgs = (dir: string): string[] => ['mkreplica', '-export', '-workdir', path.join(root, 'wa'), '-out', path.join(dir, 'repl'), 'hostb:sanfran@/vobs/dev'];
    let packetDir = creation;
    const importArgs = (): string[] => ['mkreplica', '-import', '-workdir', path.join(root, 'wb'), '-tag', '/vobs/dev', ...fs.readdirSync(packetDir).filter((n) => !n.startsWith('.')).map((n) => path.join(packetDir, n))];

    // Reference runs, timed: the kills land within them.
    fs.mkdirSync(creation);
    const t0 = performance.now();
    const ref = await run(a, exportArgs(creation));
    assert.strictEqual(ref.status, 0, ref.err);
    const exportMs = performance.now() - t0;
    const t00 = performance.now();
    assert.strictEqual((await run(b, importArgs())).status, 0);
    const importMs = performance.now() - t00;
    let killed = 0;

    for (let round = 0; round < 5; round++) {
      replace(savedA, a);
      replace(savedB, b);
      for (const d of [creation, rerunOut]) {
        fs.rmSync(d, { recursive: true, force: true });
        fs.mkdirSync(d);
      }
      packetDir = creation;
      const t1 = 10 + Math.floor(rnd() * exportMs);
      const first = await run(a, exportArgs(creation), t1);
      if (first.signal === 'SIGKILL') {
        killed++;
        const again = await run(a, exportArgs(rerunOut));
        if (again.status === 0) packetDir = rerunOut;
        // Else killed once the packet was whole and the object's creation marked done: nothing left to do.
        else assert.match(again.err, /Replica sanfran already exists/, `export killed at ${t1} ms, then: ${again.err} (seed ${seed})`);
      } else assert.strictEqual(first.status, 0, first.err);
      assert.ok(importArgs().length > 6, `no creation packet (seed ${seed})`);
      const t2 = 10 + Math.floor(rnd() * importMs);
      const imp = await run(b, importArgs(), t2);
      if (imp.signal === 'SIGKILL') {
        killed++;
        const again = await run(b, importArgs());
        assert.strictEqual(again.status, again.err.includes('Replica sanfran already exists') ? 1 : 0, `import killed at ${t2} ms, then: ${again.err} (seed ${seed})`);
      } else assert.strictEqual(imp.status, 0, imp.err);
      // The new replica holds what its creator held, the new replica object included.
      const want = await must(a, 'digest', '-invob', '/vobs/dev');
      assert.deepStrictEqual(await must(b, 'digest', '-invob', '/vobs/dev'), want, `export killed at ${t1} ms, import at ${t2} ms (seed ${seed})`);
      const left = fs.readdirSync(path.join(b, 'vobs')).filter((n) => n.includes('.new-'));
      assert.deepStrictEqual(left, [], `left behind by the killed import (seed ${seed})`);
    }
    assert.ok(killed >= 3, `only ${killed} of 10 runs were killed before they finished (export ${exportMs} ms, import ${importMs} ms; seed ${seed})`);
  });
});
