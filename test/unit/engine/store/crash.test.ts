import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { digest, fsimport, mkhost, mkvob } from '../../../../src/engine/sync';
import { prng } from '../sync/syncFixtures';
import { child as run, ensureCli } from '../faultsSupport';

/**
 * kill -9 of a real `multitool fsimport` process at random instants: afterwards the replica
 * opens, holds either everything before or everything after the import (one transaction), and
 * running the command again completes it. Two commands at once are serialised by the lock.
 * CRASH_SEED=n replays a run.
 */
describe('crash safety of content commands (real processes)', function () {
  this.timeout(180_000);
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  let root: string;

  before(ensureCli);
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mscrash-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function tree(dir: string, files: number, round: number): void {
    for (let i = 0; i < files; i++) {
      const f = path.join(dir, `d${i % 7}`, `f${i}.txt`);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, `round ${round} file ${i} `.repeat(50 + ((i * 31) % 400)));
    }
  }

  it(`an fsimport killed at any instant leaves the before or the after state, and a re-run completes it (seed ${seed})`, async () => {
    const rnd = prng(seed);
    const home = path.join(root, 'h');
    mkhost(home, { name: 'boston' });
    await mkvob({ home }, { tag: '/vobs/dev', replica: 'boston_hub' });
    const src = path.join(root, 'src');
    tree(src, 400, 0);
    // The reference: how long an uninterrupted import takes, and the digest it reaches.
    const refHome = path.join(root, 'ref');
    mkhost(refHome, { name: 'ref' });
    await mkvob({ home: refHome }, { tag: '/vobs/dev', replica: 'ref' });
    const t0 = Date.now();
    const ok = await run(refHome, ['fsimport', '-invob', '/vobs/dev', src]);
    assert.strictEqual(ok.status, 0, ok.err);
    const span = Date.now() - t0;
    let killed = 0;
    for (let trial = 0; trial < 6; trial++) {
      const before = await digest({ home }, { tag: '/vobs/dev' });
      const r = await run(home, ['fsimport', '-invob', '/vobs/dev', src], Math.floor(rnd() * span));
      if (r.signal === 'SIGKILL') killed++;
      const now = await digest({ home }, { tag: '/vobs/dev' });
      const res = await fsimport({ home }, { tag: '/vobs/dev', dir: src });
      if (now === before) assert.strictEqual(res.created.length, 400, `seed ${seed}: nothing half-imported`);
      else assert.deepStrictEqual([res.created.length, res.changed.length], [0, 0], `seed ${seed}: everything imported`);
      // Each trial starts from a fresh, empty replica.
      fs.rmSync(home, { recursive: true, force: true });
      mkhost(home, { name: 'boston' });
      await mkvob({ home }, { tag: '/vobs/dev', replica: 'boston_hub' });
    }
    assert.ok(killed > 0, `seed ${seed}: at least one run was killed`);
  });

  it('serialises two commands on one replica: the second waits and both complete', async () => {
    const home = path.join(root, 'h');
    mkhost(home, { name: 'boston' });
    await mkvob({ home }, { tag: '/vobs/dev', replica: 'boston_hub' });
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    tree(a, 300, 1);
    tree(b, 300, 2);
    const [ra, rb] = await Promise.all([run(home, ['fsimport', '-invob', '/vobs/dev', a]), run(home, ['fsimport', '-invob', '/vobs/dev', b])]);
    assert.strictEqual(ra.status, 0, ra.err);
    assert.strictEqual(rb.status, 0, rb.err);
    // Same element names: one import created them, the other made version 2 of each; nothing lost.
    const { catVersion, lsvtree } = await import('../../../../src/engine/sync');
    for (const el of ['d0/f0.txt', 'd3/f10.txt']) {
      assert.deepStrictEqual(await lsvtree({ home }, { tag: '/vobs/dev', path: el }), [`${el}@@`, `${el}@@/main`, `${el}@@/main/0`, `${el}@@/main/1`, `${el}@@/main/2`]);
      const read = async (n: number): Promise<string> => {
        const chunks: Buffer[] = [];
        for await (const c of await catVersion({ home }, { tag: '/vobs/dev', version: `${el}@@/main/${n}` })) chunks.push(c as Buffer);
        return Buffer.concat(chunks).toString();
      };
      const got = [await read(1), await read(2)].sort();
      assert.deepStrictEqual(got, [fs.readFileSync(path.join(a, el), 'utf8'), fs.readFileSync(path.join(b, el), 'utf8')].sort());
    }
  });
});
