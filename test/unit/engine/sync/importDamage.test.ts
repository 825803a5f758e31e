import * as crypto from 'crypto';
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkin, digest, exportSync, importSync, listReplicas, mkelem, mklabel, mktype, type ImportEvent } from '../../../../src/engine/sync';
import { makeFamily, makeHosts, prng, tempDir, type TestReplica } from './syncFixtures';

/**
 * The fault property at the level an administrator sees it: a damaged copy of a real packet
 * (cut short at every length, or with bytes flipped) given to syncreplica -import is refused,
 * and the replica is left exactly as it was: same digest, same epoch rows. The intact packet
 * then applies in full. Flips use PACKET_DAMAGE_SEED=n to replay.
 */
describe('syncreplica -import of a damaged copy of a packet', function () {
  this.timeout(120_000);
  let root: string;
  let a: TestReplica;
  let b: TestReplica;
  let bytes: Buffer;
  let work: string;
  let baseline: { digest: string; rows: string };

  async function snapshot(): Promise<{ digest: string; rows: string }> {
    const [info] = await listReplicas(b.host.ctx, b.tag);
    return { digest: await digest(b.host.ctx, { tag: b.tag }), rows: JSON.stringify(info.replicas.map((r) => [r.name, r.row])) };
  }

  async function refused(file: string, what: string): Promise<void> {
    const r = await importSync(b.host.ctx, { sources: [file] });
    const kinds = r.events.map((e: ImportEvent) => e.type);
    assert.strictEqual(r.ok, false, `${what}: import succeeded (${kinds.join(', ')})`);
    assert.ok(!kinds.includes('applied') && !kinds.includes('already'), `${what}: ${kinds.join(', ')}`);
    assert.deepStrictEqual(await snapshot(), baseline, `${what}: the replica changed`);
  }

  for (const compress of [false, true]) {
    describe(compress ? 'exported with -compress' : 'exported plain', () => {
      before(async () => {
        root = tempDir('msdamage-');
        const hosts = makeHosts(root, ['boston', 'sanfran']);
        [a, b] = await makeFamily(root, hosts, [0, 1]);
        const file = (name: string, data: Buffer | string): string => {
          const f = path.join(root, name);
          fs.writeFileSync(f, data);
          return f;
        };
        // Every kind of record and both kinds of content (random bytes stay raw, text deflates).
        await mkelem(a.host.ctx, { tag: a.tag, path: 'src/a.bin', from: file('a', crypto.randomBytes(100)) });
        await mkelem(a.host.ctx, { tag: a.tag, path: 'src/b.txt', from: file('b', 'line of text\n'.repeat(20)) });
        await mktype(a.host.ctx, { tag: a.tag, kind: 'lbtype', name: 'REL1' });
        await checkin(a.host.ctx, { tag: a.tag, path: 'src/b.txt', from: file('c', 'other text\n'.repeat(30)), comment: 'second' });
        await mklabel(a.host.ctx, { tag: a.tag, lbtype: 'REL1', version: 'src/b.txt@@/main/2' });
        const out = path.join(root, 'out');
        fs.mkdirSync(out);
        const res = await exportSync(a.host.ctx, { targets: [`${b.name}@${a.tag}`], out, compress });
        const packets = res.vobs.flatMap((v) => v.packets.map((p) => p.path));
        assert.strictEqual(packets.length, 1);
        bytes = fs.readFileSync(packets[0]);
        assert.ok(bytes.length < 4000, `a small packet (${bytes.length} bytes)`);
        
        work = path.join(root, 'damaged');
        fs.mkdirSync(work);
        baseline = await snapshot();
      });
      after(() => fs.rmSync(root, { recursive: true, force: true }));

      it('refuses every truncation, applying nothing, then applies the intact packet', async () => {
        for (let n = 0; n < bytes.length; n++) {
          const cut = path.join(work, `cut-${n}`);
          fs.writeFileSync(cut, bytes.subarray(0, n));
          await refused(cut, `truncation to ${n} of ${bytes.length} bytes`);
        }
        const whole = path.join(work, 'whole');
        fs.writeFileSync(whole, bytes);
        const r = await importSync(b.host.ctx, { sources: [whole] });
        assert.deepStrictEqual(r.events.map((e) => e.type), ['applied']);
        assert.strictEqual(await digest(b.host.ctx, { tag: b.tag }), await digest(a.host.ctx, { tag: a.tag }));
        baseline = await snapshot();
      });
    });
  }

  describe('whose header was altered to name another host', () => {
    let out: string;
    before(async () => {
      root = tempDir('mselsewhere-');
      const hosts = makeHosts(root, ['boston', 'sanfran', 'bangalore']);
      [a, b] = await makeFamily(root, hosts, [0, 1, 2]);
      const f = path.join(root, 'a');
      fs.writeFileSync(f, 'text\n');
      await mkelem(a.host.ctx, { tag: a.tag, path: 'a.txt', from: f });
      out = path.join(root, 'out');
      fs.mkdirSync(out);
      baseline = await snapshot();
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('quarantines it as damaged, and still passes over a genuine packet for another host', async () => {
      const toB = await exportSync(a.host.ctx, { targets: [`r1@${a.tag}`], out });
      const toC = await exportSync(a.host.ctx, { targets: [`r2@${a.tag}`], out });
      const altered = toB.vobs[0].packets[0].path;
      const elsewhere = toC.vobs[0].packets[0].path;
      const text = fs.readFileSync(altered);
      const at = text.indexOf('"host":"sanfran"');
      assert.ok(at > 0);
      text[at + 9] = 'S'.charCodeAt(0);
      fs.writeFileSync(altered, text);
      const r = await importSync(b.host.ctx, { sources: [altered, elsewhere] });
      assert.strictEqual(r.ok, false);
      const q = r.events.find((e) => e.packet === altered);
      assert.ok(q && q.type === 'quarantined', JSON.stringify(r.events));
      assert.match(q.reason, /bad signature for host "boston"/);
      const s = r.events.find((e) => e.packet === elsewhere);
      assert.ok(s && s.type === 'skipped', JSON.stringify(r.events));
      assert.match(s.reason, /is not for a replica on this host \(sanfran\): its targets are "r2" \(host bangalore\)/);
      assert.ok(fs.existsSync(elsewhere));
      assert.deepStrictEqual(await snapshot(), baseline);
    });
  });

  describe('with bytes flipped', () => {
    before(async () => {
      root = tempDir('msflip-');
      const hosts = makeHosts(root, ['boston', 'sanfran']);
      [a, b] = await makeFamily(root, hosts, [0, 1]);
      const f = path.join(root, 'a');
      fs.writeFileSync(f, crypto.randomBytes(2000));
      await mkelem(a.host.ctx, { tag: a.tag, path: 'a.bin', from: f });
      fs.writeFileSync(f, 'text\n'.repeat(500));
      await checkin(a.host.ctx, { tag: a.tag, path: 'a.bin', from: f });
      const out = path.join(root, 'out');
      fs.mkdirSync(out);
      const res = await exportSync(a.host.ctx, { targets: [`${b.name}@${a.tag}`], out });
      bytes = fs.readFileSync(res.vobs[0].packets[0].path);
      work = path.join(root, 'damaged');
      fs.mkdirSync(work);
      baseline = await snapshot();
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('refuses a copy with any byte flipped, applying nothing', async () => {
      const seed = Number(process.env.PACKET_DAMAGE_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const next = prng(seed);
      for (let i = 0; i < 250; i++) {
        const pos = Math.floor(next() * bytes.length);
        const copy = Buffer.from(bytes);
        copy[pos] ^= 1 + Math.floor(next() * 255);
        const file = path.join(work, `flip-${i}`);
        fs.writeFileSync(file, copy);
        await refused(file, `seed ${seed} (replay with PACKET_DAMAGE_SEED=${seed}), flip ${i} at byte ${pos} of ${bytes.length}`);
      }
    });
  });
});
