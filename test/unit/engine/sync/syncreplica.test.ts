import * as crypto from 'crypto';
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  checkin,
  chepoch,
  digest,
  exportSync,
  hostLayout,
  importSync,
  listReplicas,
  mkelem,
  mkreplicaExport,
  mkreplicaImport,
  recoverpacket,
  restorereplica,
  assessPackets,
  ReplicaExistsError,
  SelfUpdateError,
  type ImportEvent,
} from '../../../../src/engine/sync';
import { loadPrivateKey } from '../../../../src/engine/host/keys';
import { writePacket } from '../../../../src/engine/packet/writer';
import { NotMasterError, ReplicaRecoveringError } from '../../../../src/engine/vob/errors';
import { EpochError } from '../../../../src/engine/sync/errors';
import { makeFamily, makeHosts, tempDir, type TestHost, type TestReplica } from './syncFixtures';

describe('syncreplica', () => {
  let root: string;
  let hosts: TestHost[];
  let reps: TestReplica[];
  let a: TestReplica;
  let b: TestReplica;
  let n = 0;

  beforeEach(async () => {
    root = tempDir('mssync-');
    hosts = makeHosts(root, ['boston', 'sanfran']);
    reps = await makeFamily(root, hosts, [0, 1, 1]);
    [a, b] = reps;
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function file(text: string | Buffer): string {
    const f = path.join(root, `content-${n++}`);
    fs.writeFileSync(f, text);
    return f;
  }

  function outDir(): string {
    const d = path.join(root, `out-${n++}`);
    fs.mkdirSync(d);
    return d;
  }

  async function changes(count: number): Promise<void> {
    // Incompressible, so that packet sizes (and -maxsize splits) do not depend on deflate.
    for (let i = 0; i < count; i++) await mkelem(a.host.ctx, { tag: a.tag, path: `src/f${n}.c`, from: file(crypto.randomBytes(2200)) });
  }

  async function exportTo(from: TestReplica, to: TestReplica[], maxBytes?: number): Promise<string[]> {
    const res = await exportSync(from.host.ctx, { targets: to.map((t) => `${t.name}@${from.tag}`), out: outDir(), maxBytes });
    return res.vobs.flatMap((v) => v.packets.map((p) => p.path));
  }

  function types(events: ImportEvent[]): string[] {
    return events.map((e) => e.type);
  }

  it('applies fragments given in reverse order', async () => {
    await changes(6);
    const packets = await exportTo(a, [b], 3000);
    assert.ok(packets.length >= 3, `split into ${packets.length}`);
    const r = await importSync(b.host.ctx, { sources: [...packets].reverse() });
    assert.ok(r.ok);
    assert.strictEqual(r.events.filter((e) => e.type === 'applied').length, packets.length);
    assert.strictEqual(await digest(b.host.ctx, { tag: b.tag }), await digest(a.host.ctx, { tag: a.tag }));
  });

  it('carries records of several megabytes across body blocks, multi-byte text included, with and without -compress', async () => {
    // Comments of 36-65 KB in UTF-8 each (three bytes for some characters): the records cross the
    // writer's 1 MB blocks at every kind of offset, each written without measuring it first.
    await mkelem(a.host.ctx, { tag: a.tag, path: 'src/long.c', from: file(crypto.randomBytes(100)) });
    for (let i = 0; i < 45; i++) {
      const comment = `${i} ${'ünïcode ✓ — '.repeat(2000 + i * 37)}`;
      await checkin(a.host.ctx, { tag: a.tag, path: 'src/long.c', from: file(crypto.randomBytes(100 + i)), comment });
    }
    const want = await digest(a.host.ctx, { tag: a.tag });
    // Plain to one replica, -compress to the other: each receives all of it.
    for (const [to, compress] of [[reps[1], false], [reps[2], true]] as const) {
      const res = await exportSync(a.host.ctx, { targets: [`${to.name}@${a.tag}`], out: outDir(), compress });
      const packets = res.vobs.flatMap((v) => v.packets);
      if (!compress) assert.ok(packets[0].bytes > 2 * 1024 * 1024, `a body of ${packets[0].bytes} bytes spans several blocks`);
      const r = await importSync(to.host.ctx, { sources: packets.map((p) => p.path) });
      assert.deepStrictEqual(r.events.map((e) => e.type), ['applied']);
      assert.strictEqual(await digest(to.host.ctx, { tag: to.tag }), want);
    }
  });

  it('is harmless to import twice', async () => {
    await changes(2);
    const packets = await exportTo(a, [b]);
    assert.ok((await importSync(b.host.ctx, { sources: packets })).ok);
    const again = await importSync(b.host.ctx, { sources: packets });
    assert.ok(again.ok);
    assert.deepStrictEqual(types(again.events), ['already']);
  });

  it('keeps a packet whose predecessors are missing, says what it needs, and applies it once they arrive', async () => {
    await changes(2);
    const first = await exportTo(a, [b]);
    await changes(1);
    const second = await exportTo(a, [b]);
    const early = await importSync(b.host.ctx, { sources: second });
    assert.strictEqual(early.ok, false);
    const pending = early.events.find((e) => e.type === 'pending');
    assert.ok(pending && pending.type === 'pending');
    assert.match(pending.error.message, /^Packet requires changes up to \d+; VOB has only \d+ from replica "r0"\.$/);
    assert.ok(fs.existsSync(second[0]), 'the packet stays');
    const late = await importSync(b.host.ctx, { sources: [...second, ...first] });
    assert.ok(late.ok);
    assert.deepStrictEqual(types(late.events), ['applied', 'applied']);
  });

  it('forwards changes through a hub to a replica that never heard from their origin', async () => {
    const c = reps[2];
    await changes(3);
    await importSync(b.host.ctx, { sources: await exportTo(a, [b]) });
    // b (the hub) passes r0's changes on to r2.
    const r = await importSync(c.host.ctx, { sources: await exportTo(b, [c]) });
    assert.ok(r.ok);
    assert.strictEqual(await digest(c.host.ctx, { tag: c.tag }), await digest(a.host.ctx, { tag: a.tag }));
  });

  it('refuses to export a replica to itself, and warns when it is one of several targets', async () => {
    await assert.rejects(exportSync(a.host.ctx, { targets: [`r0@${a.tag}`], out: outDir() }), (e: unknown) => e instanceof SelfUpdateError && /A replica cannot update itself: "r0"\./.test((e as Error).message));
    const warnings: string[] = [];
    const res = await exportSync(a.host.ctx, { targets: [`r0@${a.tag}`, `r1@${a.tag}`], out: outDir(), onWarning: (w) => warnings.push(w) });
    assert.deepStrictEqual(res.vobs[0].targets, ['r1']);
    assert.match(warnings[0], /A replica cannot update itself: "r0"/);
  });

  it('skips packets for replicas on other hosts and replica-creation packets, saying so', async () => {
    await changes(1);
    const packets = await exportTo(a, [b]);
    const here = await importSync(a.host.ctx, { sources: packets });
    assert.strictEqual(here.events[0].type, 'skipped');
    assert.match((here.events[0] as { reason: string }).reason, /is not for a replica on this host \(boston\): its targets are "r1" \(host sanfran\)/);
    const ex = await mkreplicaExport(a.host.ctx, { target: `sanfran:r9@${a.tag}`, workdir: path.join(root, 'w'), out: outDir() });
    const cre = await importSync(b.host.ctx, { sources: ex.packets.map((p) => p.path) });
    assert.match((cre.events[0] as { reason: string }).reason, /is a replica-creation packet; apply it with "multitool mkreplica -import"/);
    // An update for r9 reaching sanfran before r9's creation packet was imported there: the
    // packet is for this host, and says what to do first rather than "host sanfran".
    const early = await exportSync(a.host.ctx, { targets: [`r9@${a.tag}`], out: outDir() });
    const waiting = await importSync(b.host.ctx, { sources: early.vobs[0].packets.map((p) => p.path) });
    assert.strictEqual(waiting.events[0].type, 'skipped');
    assert.match((waiting.events[0] as { reason: string }).reason, /is not for a replica on this host \(sanfran\): its targets are "r9" \(this host, but no such replica here yet: import its creation packet with "multitool mkreplica -import" first; this packet stays until then\)$/);
    assert.ok(fs.existsSync(early.vobs[0].packets[0].path));
  });

  it('removes a received packet from the bay once it is applied to every local target', async () => {
    await changes(1);
    // r1 and r2 both live on sanfran: one packet for both.
    const packets = await exportTo(a, [b, reps[2]]);
    const bay = path.join(hostLayout(b.host.home).shipBay, 'incoming');
    for (const p of packets) fs.copyFileSync(p, path.join(bay, path.basename(p)));
    const r = await importSync(b.host.ctx, { sources: [], receive: true });
    assert.ok(r.ok);
    assert.deepStrictEqual(types(r.events).sort(), ['applied', 'applied', 'removed']);
    assert.deepStrictEqual(fs.readdirSync(bay), []);
  });

  it('quarantines a damaged packet with the reason and applies nothing', async () => {
    await changes(2);
    const [p] = await exportTo(a, [b]);
    const before = await digest(b.host.ctx, { tag: b.tag });
    const bytes = fs.readFileSync(p);
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(p, bytes);
    const r = await importSync(b.host.ctx, { sources: [p] });
    assert.strictEqual(r.ok, false);
    const q = r.events[0];
    assert.ok(q.type === 'quarantined', JSON.stringify(r.events));
    assert.match(q.reason, /damaged/);
    assert.ok(fs.existsSync(q.to) && fs.existsSync(`${q.to}.reason`) && !fs.existsSync(p));
    assert.strictEqual(await digest(b.host.ctx, { tag: b.tag }), before);
  });

  it('quarantines a packet whose signature does not verify with the sending host\'s key in site.ini', async () => {
    const lone = makeHosts(path.join(root, 'lone'), ['sanfran'])[0];
    await changes(1);
    const [p] = await exportTo(a, [b]);
    // Same host name, different key: the signature cannot verify with the key site.ini holds.
    const r = await importSync(b.host.ctx, { sources: [p] });
    assert.ok(r.ok);
    fs.copyFileSync(path.join(hostLayout(lone.home).keys, 'host_ed25519.pem'), path.join(hostLayout(a.host.home).keys, 'host_ed25519.pem'));
    await changes(1);
    const [p2] = await exportTo(a, [b]);
    const r2 = await importSync(b.host.ctx, { sources: [p2] });
    assert.strictEqual(r2.events[0].type, 'quarantined');
    assert.match((r2.events[0] as { reason: string }).reason, /bad signature for host "boston"/);
  });

  it('quarantines a correctly signed packet whose records name paths outside the VOB', async () => {
    const layout = hostLayout(a.host.home);
    const [info] = await listReplicas(b.host.ctx, b.tag);
    const origin = info.replicas.find((r) => r.name === 'r0');
    assert.ok(origin);
    const dir = outDir();
    const [w] = await writePacket(
      {
        kind: 'update',
        dir,
        compress: false,
        header: {
          sequence: 99,
          familyOid: info.familyOid,
          vobTag: a.tag,
          comment: '',
          origin: { name: 'r0', oid: origin.oid },
          sendingHost: 'boston',
          targets: [{ name: 'r1', oid: info.replicaOid, host: 'sanfran', vobTag: '', incarnation: 0 }],
          senderRow: {},
        },
        signer: { host: 'boston', privateKey: loadPrivateKey(layout) },
      },
      [{ records: [{ kind: 'element.create', origin: origin.oid, id: origin.row[origin.oid] + 1, at: 'now', path: '../../etc/passwd' }], blobs: [] }],
    );
    const before = await digest(b.host.ctx, { tag: b.tag });
    // The same packet damaged after that record: the whole packet is read and checked before a
    // record is judged, so the damage is the reason given.
    const damaged = path.join(dir, 'damaged');
    const bytes = fs.readFileSync(w.path);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(damaged, bytes);
    const d = await importSync(b.host.ctx, { sources: [damaged] });
    assert.strictEqual(d.events[0].type, 'quarantined');
    assert.match((d.events[0] as { reason: string }).reason, /damaged/);
    const r = await importSync(b.host.ctx, { sources: [w.path] });
    assert.strictEqual(r.events[0].type, 'quarantined');
    assert.match((r.events[0] as { reason: string }).reason, /element path "..\/..\/etc\/passwd" is refused: it contains ".."/);
    assert.strictEqual(await digest(b.host.ctx, { tag: b.tag }), before);
  });

  it('refuses a packet addressed to an old incarnation of the target', async () => {
    await changes(1);
    const [p] = await exportTo(a, [b]);
    await restorereplica(b.host.ctx, { tag: b.tag });
    const r = await importSync(b.host.ctx, { sources: [p] });
    assert.strictEqual(r.events[0].type, 'quarantined');
    assert.match((r.events[0] as { reason: string }).reason, /^Replica incarnation for "r1" is old: 0 should be \d+\.$/);
  });

  it('recovers a replica restored from backup: siblings learn the incarnation and resend what it lost', async () => {
    await changes(1);
    await importSync(b.host.ctx, { sources: await exportTo(a, [b]) });
    await importSync(a.host.ctx, { sources: await exportTo(b, [a]) });
    const [info] = await listReplicas(b.host.ctx, b.tag);
    const backup = path.join(root, 'backup');
    fs.cpSync(info.dir, backup, { recursive: true });
    await changes(2);
    await importSync(b.host.ctx, { sources: await exportTo(a, [b]) });
    const want = await digest(a.host.ctx, { tag: a.tag });
    // Disaster: r1 goes back to its backup, losing the last packet.
    fs.rmSync(info.dir, { recursive: true });
    fs.cpSync(backup, info.dir, { recursive: true });
    assert.notStrictEqual(await digest(b.host.ctx, { tag: b.tag }), want);
    await restorereplica(b.host.ctx, { tag: b.tag });
    await assert.rejects(mkelem(b.host.ctx, { tag: b.tag, path: 'x' }), ReplicaRecoveringError);
    await importSync(a.host.ctx, { sources: await exportTo(b, [a]) });
    await importSync(reps[2].host.ctx, { sources: await exportTo(b, [reps[2]]) });
    assert.ok((await importSync(b.host.ctx, { sources: await exportTo(a, [b]) })).ok);
    assert.ok((await importSync(b.host.ctx, { sources: await exportTo(reps[2], [b]) })).ok);
    assert.strictEqual(await digest(b.host.ctx, { tag: b.tag }), want);
    const [after] = await listReplicas(b.host.ctx, b.tag);
    assert.strictEqual(after.recovering, undefined);
  });

  it('resends with recoverpacket what a lost packet carried', async () => {
    await changes(2);
    await exportTo(a, [b]); // lost on the way
    assert.strictEqual((await exportTo(a, [b])).length, 1);
    await recoverpacket(a.host.ctx, { replicas: [`r1@${a.tag}`], since: new Date(0) });
    const r = await importSync(b.host.ctx, { sources: await exportTo(a, [b]) });
    assert.ok(r.ok);
    assert.strictEqual(await digest(b.host.ctx, { tag: b.tag }), await digest(a.host.ctx, { tag: a.tag }));
  });

  it('lets chepoch set estimates but never the own row, and raising past the own row needs -force', async () => {
    await changes(1);
    await assert.rejects(chepoch(a.host.ctx, { replica: `r0@${a.tag}`, values: ['r0=1'] }), /own row: it is actual/);
    await assert.rejects(chepoch(a.host.ctx, { replica: `r1@${a.tag}`, values: ['r0=999'] }), EpochError);
    const r = await chepoch(a.host.ctx, { replica: `r1@${a.tag}`, values: ['r0=999'], force: true });
    assert.deepStrictEqual(r.changes.map((c) => [c.origin, c.to]), [['r0', 999]]);
  });

  it('enforces mastership at every replica and names the master', async () => {
    const el = 'src/a.c';
    await mkelem(a.host.ctx, { tag: a.tag, path: el, from: file('first') });
    await importSync(b.host.ctx, { sources: await exportTo(a, [b]) });
    await assert.rejects(checkin(b.host.ctx, { tag: b.tag, path: el, from: file('x') }), (e: unknown) => {
      assert.ok(e instanceof NotMasterError);
      assert.strictEqual((e as Error).message, `Unable to check in "${el}" in replica "r1": master replica of branch type "main" is "r0".`);
      return true;
    });
  });

  it('refuses to create a replica that already exists', async () => {
    await assert.rejects(mkreplicaExport(a.host.ctx, { target: `sanfran:r1@${a.tag}`, workdir: path.join(root, 'w'), out: outDir() }), (e: unknown) => e instanceof ReplicaExistsError && (e as Error).message === 'Replica r1 already exists.');
    const ex = await mkreplicaExport(a.host.ctx, { target: `sanfran:r7@${a.tag}`, workdir: path.join(root, 'w'), out: outDir() });
    await mkreplicaImport(b.host.ctx, { packets: ex.packets.map((p) => p.path), workdir: path.join(root, 'w'), tag: '/vobs/r7' });
    await assert.rejects(mkreplicaImport(b.host.ctx, { packets: ex.packets.map((p) => p.path), workdir: path.join(root, 'w'), tag: '/vobs/r7b' }), /Replica r7 already exists/);
    // Run again as it was (after a kill once it had registered the tag): the replica exists, not
    // "choose another tag", which would send the administrator to make a second copy.
    await assert.rejects(mkreplicaImport(b.host.ctx, { packets: ex.packets.map((p) => p.path), workdir: path.join(root, 'w'), tag: '/vobs/r7' }), (e: unknown) => e instanceof ReplicaExistsError && (e as Error).message === 'Replica r7 already exists.');
    // Another replica's packet at a taken tag: the tag is the problem.
    const other = await mkreplicaExport(a.host.ctx, { target: `sanfran:r8@${a.tag}`, workdir: path.join(root, 'w'), out: outDir() });
    await assert.rejects(mkreplicaImport(b.host.ctx, { packets: other.packets.map((p) => p.path), workdir: path.join(root, 'w'), tag: '/vobs/r7' }), /VOB tag "\/vobs\/r7" is already registered/);
  });

  it('creates a replica from a creation packet split in fragments, given in any order, and refuses an incomplete one', async () => {
    await changes(8);
    const ex = await mkreplicaExport(a.host.ctx, { target: `sanfran:r5@${a.tag}`, workdir: path.join(root, 'w'), out: outDir(), maxBytes: 4096 });
    const files = ex.packets.map((p) => p.path);
    assert.ok(files.length >= 3, `${files.length} fragments`);
    await assert.rejects(mkreplicaImport(b.host.ctx, { packets: files.slice(1), workdir: path.join(root, 'w'), tag: '/vobs/r5' }), /is incomplete: have fragment\(s\) 2, 3.* of \d+/);
    const r = await mkreplicaImport(b.host.ctx, { packets: [...files].reverse(), workdir: path.join(root, 'w'), tag: '/vobs/r5' });
    assert.strictEqual(r.replica, 'r5');
    assert.strictEqual(await digest(b.host.ctx, { tag: '/vobs/r5' }), await digest(a.host.ctx, { tag: a.tag }));
    const [info] = await listReplicas(b.host.ctx, '/vobs/r5');
    const self = info.replicas.find((x) => x.self);
    const sender = info.replicas.find((x) => x.name === 'r0');
    assert.deepStrictEqual(sender?.row, self?.row, 'the new replica knows what its creator had');
  });

  it('tells from headers alone which packets can be applied, which wait and for what', async () => {
    await changes(1);
    const [first] = await exportTo(a, [b]);
    await changes(1);
    const [second] = await exportTo(a, [b]);
    const ex = await mkreplicaExport(a.host.ctx, { target: `sanfran:r8@${a.tag}`, workdir: path.join(root, 'w'), out: outDir() });
    const states = async (): Promise<string[]> =>
      (await assessPackets(b.host.ctx, [first, second, ex.packets[0].path, path.join(root, 'nothing')])).map((p) => p.statuses.map((s) => s.state).join(','));
    assert.deepStrictEqual(await states(), ['applicable', 'waiting', 'creation', 'unreadable']);
    const waiting = (await assessPackets(b.host.ctx, [second]))[0].statuses[0];
    assert.ok(waiting.state === 'waiting' && waiting.from === 'r0' && waiting.have === 2, JSON.stringify(waiting));
    await importSync(b.host.ctx, { sources: [first] });
    assert.deepStrictEqual((await states()).slice(0, 2), ['applied', 'applicable']);
    assert.deepStrictEqual((await assessPackets(a.host.ctx, [first]))[0].statuses, [{ state: 'other-host', replica: 'r1', host: 'sanfran' }]);
  });
});
