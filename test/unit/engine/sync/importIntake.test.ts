import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { catVersion, digest, exportSync, findVobTag, hostLayout, importSync, listReplicas, listVobTags, lsvtree, mkelem, mkreplicaExport, mkreplicaImport, receiveDirs, restorereplica, type ImportEvent } from '../../../../src/engine/sync';
import { encodePrefix, PREFIX_BYTES, SIGNATURE_BYTES } from '../../../../src/engine/packet/format';
import { signHeader } from '../../../../src/engine/packet/sign';
import { loadPrivateKey } from '../../../../src/engine/host/keys';
import { writePacket } from '../../../../src/engine/packet/writer';
import type { PacketRecord } from '../../../../src/engine/packet/types';
import { quarantineDir } from '../../../../src/engine/packet/quarantine';
import { makeFamily, makeHosts, tempDir, type TestHost, type TestReplica } from './syncFixtures';

/**
 * Packet intake against files that change under it: what is applied is what was verified, and
 * nothing decided from a header read earlier survives a packet replaced since.
 */
describe('syncreplica -import of packets that change while it runs', function () {
  this.timeout(60_000);
  let root: string;
  let hosts: TestHost[];
  let r0: TestReplica;
  let r1: TestReplica;
  let n = 0;

  beforeEach(async () => {
    root = tempDir('msintake-');
    hosts = makeHosts(root, ['boston', 'sanfran', 'paris']);
    [r0, r1] = await makeFamily(root, hosts, [0, 1, 2]);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function outDir(): string {
    const d = path.join(root, `out-${n++}`);
    fs.mkdirSync(d);
    return d;
  }

  /** A packet to r1 carrying `records` as if from r0, signed with `signer`'s key, its header naming `sendingHost`. */
  async function craft(signer: TestHost, sendingHost: string, records: PacketRecord[]): Promise<string> {
    const [info] = await listReplicas(r1.host.ctx, r1.tag);
    const origin = info.replicas.find((r) => r.name === 'r0');
    assert.ok(origin);
    const [w] = await writePacket(
      {
        kind: 'update',
        dir: outDir(),
        compress: false,
        header: {
          sequence: 99,
          familyOid: info.familyOid,
          vobTag: r0.tag,
          comment: '',
          origin: { name: 'r0', oid: origin.oid },
          sendingHost,
          targets: [{ name: 'r1', oid: info.replicaOid, host: 'sanfran', vobTag: '', incarnation: 0 }],
          senderRow: {},
        },
        signer: { host: signer.name, privateKey: loadPrivateKey(hostLayout(signer.home)) },
      },
      [{ records, blobs: [] }],
    );
    return w.path;
  }

  it('applies nothing from a packet replaced after its header was read, even one a peer signed for a replica it does not hold', async () => {
    const v = path.join(root, 'v');
    fs.writeFileSync(v, 'one\n');
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: v });
    const ex = await exportSync(r0.host.ctx, { targets: [`r1@${r0.tag}`], out: outDir() });
    const first = ex.vobs[0].packets[0].path;
    const [info] = await listReplicas(r1.host.ctx, r1.tag);
    const r0oid = info.replicas.find((r) => r.name === 'r0')?.oid as string;
    // The entry after a.c's creation and version: r0 masters /main, so only who signed can refuse it.
    const evil = { kind: 'element.create', origin: r0oid, id: 0, at: 'now', path: 'evil.c' } as PacketRecord;
    const next = (await listReplicas(r0.host.ctx, r0.tag))[0].replicas.find((r) => r.name === 'r0')?.row[r0oid] as number;
    evil.id = next + 1;
    // Paris signs for r0, which lives on boston: refused when it comes as it is.
    const forged = await craft(hosts[2], 'paris', [evil]);
    // A decoy whose header says boston (its signature is paris's, so it would not verify) sorts
    // after the first packet; it is swapped for the forged packet once the first is applied.
    const decoy = await craft(hosts[2], 'boston', [evil]);
    const events: ImportEvent[] = [];
    const r = await importSync(r1.host.ctx, {
      sources: [first, decoy],
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'applied' && e.packet === first) fs.copyFileSync(forged, decoy);
      },
    });
    assert.deepStrictEqual(
      events.map((e) => e.type),
      ['applied', 'failed'],
    );
    assert.strictEqual(r.ok, false);
    const failed = events[1] as { error: Error };
    assert.match(failed.error.message, /changed while it was being imported; nothing was applied from it/);
    assert.ok(fs.existsSync(decoy), 'the replaced packet stays where it is');
    await assert.rejects(lsvtree(r1.host.ctx, { tag: r1.tag, path: 'evil.c' }), /evil\.c/);
    assert.ok((await lsvtree(r1.host.ctx, { tag: r1.tag, path: 'a.c' })).length > 0);
    // Imported again, as it now is: refused for what it is.
    const again = await importSync(r1.host.ctx, { sources: [decoy] });
    assert.strictEqual(again.events[0].type, 'quarantined');
    assert.match((again.events[0] as { reason: string }).reason, /signed by host "paris", but that replica is on host "boston"/);
  });

  it('says so, and does not fail, when a received packet is taken from the bay by another import before its turn', async () => {
    const v = path.join(root, 'v');
    fs.writeFileSync(v, 'one\n');
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: v });
    const bay = receiveDirs(r1.host.home)[0];
    fs.mkdirSync(bay, { recursive: true });
    const p1 = (await exportSync(r0.host.ctx, { targets: [`r1@${r0.tag}`], out: path.join(bay, 'first') })).vobs[0].packets[0].path;
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'b.c', from: v });
    const p2 = (await exportSync(r0.host.ctx, { targets: [`r1@${r0.tag}`], out: path.join(bay, 'second') })).vobs[0].packets[0].path;
    // Another import applies the second packet and removes it while this one applies the first.
    const other = path.join(root, 'other');
    fs.mkdirSync(other);
    const events: ImportEvent[] = [];
    const r = await importSync(r1.host.ctx, {
      sources: [],
      receive: true,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'applied' && e.packet === p1) fs.renameSync(p2, path.join(other, 'second'));
      },
    });
    assert.deepStrictEqual(
      events.map((e) => e.type),
      ['applied', 'skipped', 'removed'],
    );
    assert.match((events[1] as { reason: string }).reason, /is no longer there/);
    assert.strictEqual(r.ok, true);
  });

  it('reports a damaged packet it cannot move to quarantine, leaves it, and imports the others', async () => {
    const v = path.join(root, 'v');
    fs.writeFileSync(v, 'one\n');
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: v });
    const good = (await exportSync(r0.host.ctx, { targets: [`r1@${r0.tag}`], out: outDir() })).vobs[0].packets[0].path;
    const bad = path.join(outDir(), 'bad');
    const bytes = fs.readFileSync(good);
    bytes[bytes.length - 2] ^= 0xff;
    fs.writeFileSync(bad, bytes);
    fs.mkdirSync(path.join(r1.host.home, 'shipping'), { recursive: true });
    fs.rmSync(quarantineDir(r1.host.home), { recursive: true, force: true });
    fs.writeFileSync(quarantineDir(r1.host.home), 'a file where the folder goes');
    const r = await importSync(r1.host.ctx, { sources: [bad, good] });
    assert.strictEqual(r.ok, false);
    assert.deepStrictEqual(r.events.map((e) => e.type).sort(), ['applied', 'failed']);
    const failed = r.events.find((e) => e.type === 'failed') as { error: Error };
    assert.match(failed.error.message, /is damaged: .*; it could not be moved to quarantine: Cannot quarantine packet/);
    assert.ok(fs.existsSync(bad));
  });
});

/** The packet at `file` with its header changed by `edit`, signed again with `signer`'s key. */
function resign(file: string, signer: TestHost, edit: (h: Record<string, unknown>) => void): void {
  const bytes = fs.readFileSync(file);
  const length = bytes.readUInt32BE(PREFIX_BYTES - 4);
  const header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + length)) as Record<string, unknown>;
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const signed = Buffer.concat([encodePrefix(json.length), json]);
  const signature = signHeader(signed, loadPrivateKey(hostLayout(signer.home)));
  fs.writeFileSync(file, Buffer.concat([signed, signature, bytes.subarray(PREFIX_BYTES + length + SIGNATURE_BYTES)]));
}

describe('mkreplica -import of a creation packet', function () {
  this.timeout(60_000);
  let root: string;
  let hosts: TestHost[];
  let r0: TestReplica;

  beforeEach(async () => {
    root = tempDir('msintake-');
    hosts = makeHosts(root, ['boston', 'sanfran', 'paris']);
    [r0] = await makeFamily(root, hosts, [0]);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses a creation packet signed by a peer that does not hold the replica it comes from', async () => {
    const out = path.join(root, 'forged-creation');
    fs.mkdirSync(out);
    const ex = await mkreplicaExport(r0.host.ctx, { target: `sanfran:r1@${r0.tag}`, workdir: path.join(root, 'work'), out });
    // Paris, a configured peer of sanfran, passes off a history as r0's (which lives on boston).
    resign(ex.packets[0].path, hosts[2], (h) => (h.sendingHost = 'paris'));
    const sanfran = hosts[1];
    await assert.rejects(
      mkreplicaImport(sanfran.ctx, { packets: [ex.packets[0].path], workdir: path.join(root, 'work'), tag: '/vobs/r1' }),
      /signed by host "paris", but that replica is on host "boston"/,
    );
    assert.deepStrictEqual(listVobTags(hostLayout(sanfran.home)), []);
    assert.deepStrictEqual(fs.readdirSync(hostLayout(sanfran.home).vobs).filter((f) => f.endsWith('.vbs') || f.includes('.new-')), []);
  });

  it('refuses a creation packet whose header names another replica, host or family than its history creates', async () => {
    const sanfran = hosts[1];
    const edits: Array<[string, (h: Record<string, unknown>) => void]> = [
      ['name', (h) => ((h.targets as Array<Record<string, unknown>>)[0].name = 'r9')],
      ['family', (h) => (h.familyOid = 'another-family')],
    ];
    for (const [what, edit] of edits) {
      const out = path.join(root, `creation-${what}`);
      fs.mkdirSync(out);
      const ex = await mkreplicaExport(r0.host.ctx, { target: `sanfran:r1${what}@${r0.tag}`, workdir: path.join(root, 'work'), out });
      resign(ex.packets[0].path, hosts[0], edit);
      await assert.rejects(
        mkreplicaImport(sanfran.ctx, { packets: [ex.packets[0].path], workdir: path.join(root, 'work'), tag: '/vobs/r1' }),
        /its header describes replica "r\w+" on host "sanfran" of VOB family [\w-]+, but the history it carries creates "r1\w+" on host "sanfran" of family [\w-]+; no replica was created/,
        what,
      );
      assert.deepStrictEqual(listVobTags(hostLayout(sanfran.home)), []);
    }
  });

  it('creates the replica when a fragment is given twice, as the same file or a copy, and says which fragments are missing otherwise', async () => {
    const v = path.join(root, 'v');
    for (let i = 0; i < 3; i++) {
      fs.writeFileSync(v, crypto.randomBytes(3000));
      await mkelem(r0.host.ctx, { tag: r0.tag, path: `f${i}.c`, from: v });
    }
    const out = path.join(root, 'split-creation');
    fs.mkdirSync(out);
    const ex = await mkreplicaExport(r0.host.ctx, { target: `sanfran:r1@${r0.tag}`, workdir: path.join(root, 'work'), out, maxBytes: 4000 });
    const files = ex.packets.map((p) => p.path);
    assert.ok(files.length >= 3, `split into ${files.length}`);
    const copy = path.join(root, 'copy-of-first');
    fs.copyFileSync(files[0], copy);
    const sanfran = hosts[1];
    const work = path.join(root, 'work');
    await assert.rejects(
      mkreplicaImport(sanfran.ctx, { packets: [files[0], copy, files[1]], workdir: work, tag: '/vobs/r1' }),
      new RegExp(`is incomplete: have fragment\\(s\\) 1, 2 of ${files.length}\\.`),
    );
    const res = await mkreplicaImport(sanfran.ctx, { packets: [files[0], ...files, copy].reverse(), workdir: work, tag: '/vobs/r1' });
    assert.strictEqual(res.replica, 'r1');
    assert.strictEqual((await lsvtree(sanfran.ctx, { tag: '/vobs/r1', path: 'f2.c' })).length > 0, true);
  });
});


describe('syncreplica -import of incarnation notices', function () {
  this.timeout(60_000);
  let root: string;
  let hosts: TestHost[];
  let r0: TestReplica;
  let r1: TestReplica;

  beforeEach(async () => {
    root = tempDir('msintake-');
    hosts = makeHosts(root, ['boston', 'sanfran', 'paris']);
    [r0, r1] = await makeFamily(root, hosts, [0, 1, 2]);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('quarantines a packet announcing the restore of another replica than its own: only the restored replica says it was restored', async () => {
    // r1 learns of r2 from r0.
    const out = path.join(root, 'from-r0');
    fs.mkdirSync(out);
    const ex = await exportSync(r0.host.ctx, { targets: [`r1@${r0.tag}`], out });
    assert.ok((await importSync(r1.host.ctx, { sources: ex.vobs[0].packets.map((p) => p.path) })).ok);
    const [info] = await listReplicas(r1.host.ctx, r1.tag);
    const oidOf = (name: string): string => info.replicas.find((r) => r.name === name)?.oid as string;
    const before = info.replicas.find((r) => r.name === 'r0');
    const dir = path.join(root, 'notice');
    fs.mkdirSync(dir);
    // Paris signs for its own replica r2, as it may, but says r0 was restored and has everything.
    const [w] = await writePacket(
      {
        kind: 'update',
        dir,
        compress: false,
        header: {
          sequence: 7,
          familyOid: info.familyOid,
          vobTag: '/vobs/r2',
          comment: '',
          origin: { name: 'r2', oid: oidOf('r2') },
          sendingHost: 'paris',
          targets: [{ name: 'r1', oid: info.replicaOid, host: 'sanfran', vobTag: '', incarnation: 0 }],
          senderRow: {},
        },
        signer: { host: 'paris', privateKey: loadPrivateKey(hostLayout(hosts[2].home)) },
      },
      [{ records: [{ kind: 'replica.incarnation', replica: oidOf('r0'), incarnation: 5, row: { [oidOf('r0')]: 1_000_000, [oidOf('r1')]: 1_000_000 } }], blobs: [] }],
    );
    const im = await importSync(r1.host.ctx, { sources: [w.path] });
    assert.deepStrictEqual(im.events.map((e) => e.type), ['quarantined']);
    assert.match((im.events[0] as { reason: string }).reason, /incarnation notice about replica "r0" in a packet from replica "r2"/);
    const after = (await listReplicas(r1.host.ctx, r1.tag))[0].replicas.find((r) => r.name === 'r0');
    assert.ok(before && after);
    assert.strictEqual(after.incarnation, before.incarnation);
    assert.deepStrictEqual(after.row, before.row);
  });
});

describe('syncreplica -import of a packet for several replicas on this host', function () {
  this.timeout(60_000);
  let root: string;
  let r0: TestReplica;
  let r1: TestReplica;
  let r2: TestReplica;

  beforeEach(async () => {
    root = tempDir('msintake-');
    const hosts = makeHosts(root, ['boston', 'sanfran']);
    [r0, r1, r2] = await makeFamily(root, hosts, [0, 1, 1]);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('applies it to the targets it is good for when another target refuses it (restored since), then quarantines it', async () => {
    const v = path.join(root, 'v');
    fs.writeFileSync(v, 'one\n');
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: v });
    const out = path.join(root, 'both');
    fs.mkdirSync(out);
    // One packet for r1 and r2 (both on sanfran); r1 is restored from backup while it travels.
    const ex = await exportSync(r0.host.ctx, { targets: [`r1@${r0.tag}`, `r2@${r0.tag}`], out });
    const [p] = ex.vobs[0].packets.map((x) => x.path);
    await restorereplica(r1.host.ctx, { tag: r1.tag });
    const im = await importSync(r1.host.ctx, { sources: [p] });
    assert.strictEqual(im.ok, false);
    assert.deepStrictEqual(
      im.events.map((e) => e.type),
      ['applied', 'quarantined'],
    );
    assert.match((im.events[1] as { reason: string }).reason, /^Replica incarnation for "r1" is old: 0 should be \d+\.$/);
    assert.ok((await lsvtree(r2.host.ctx, { tag: r2.tag, path: 'a.c' })).length > 0);
    await assert.rejects(lsvtree(r1.host.ctx, { tag: r1.tag, path: 'a.c' }), /a\.c/);
  });

  it('applies it to the other targets when one of them is older than the packet thinks (needs restorereplica), and keeps it', async () => {
    const v = path.join(root, 'v');
    fs.writeFileSync(v, 'one\n');
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: v });
    const out = path.join(root, 'ahead');
    fs.mkdirSync(out);
    const ex = await exportSync(r0.host.ctx, { targets: [`r1@${r0.tag}`, `r2@${r0.tag}`], out });
    const [p] = ex.vobs[0].packets.map((x) => x.path);
    // As sent by a sender that knows r1 at a later incarnation than r1's storage here.
    resign(p, r0.host, (h) => ((h.targets as Array<Record<string, unknown>>)[0].incarnation = 5));
    const im = await importSync(r1.host.ctx, { sources: [p] });
    assert.strictEqual(im.ok, false);
    assert.deepStrictEqual(im.events.map((e) => e.type), ['failed', 'applied']);
    assert.match((im.events[0] as { error: Error }).error.message, /is for incarnation 5 of replica "r1"/);
    assert.ok(fs.existsSync(p));
    assert.ok((await lsvtree(r2.host.ctx, { tag: r2.tag, path: 'a.c' })).length > 0);
  });
});


describe('syncreplica -import of entries and the content they name', function () {
  this.timeout(60_000);
  let root: string;
  let hosts: TestHost[];
  let r0: TestReplica;
  let r1: TestReplica;

  beforeEach(async () => {
    root = tempDir('msintake-');
    hosts = makeHosts(root, ['boston', 'sanfran']);
    [r0, r1] = await makeFamily(root, hosts, [0, 1]);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('quarantines a signed packet whose new version names content it does not carry and the replica does not have, or whose entries of one origin are out of order', async () => {
    const v = path.join(root, 'v');
    fs.writeFileSync(v, 'one\n');
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: v });
    const out = path.join(root, 'first');
    fs.mkdirSync(out);
    const ex = await exportSync(r0.host.ctx, { targets: [`r1@${r0.tag}`], out });
    assert.ok((await importSync(r1.host.ctx, { sources: ex.vobs[0].packets.map((p) => p.path) })).ok);
    const [info] = await listReplicas(r1.host.ctx, r1.tag);
    const origin = info.replicas.find((r) => r.name === 'r0');
    assert.ok(origin);
    const dir = path.join(root, 'forged');
    fs.mkdirSync(dir);
    const absent = crypto.createHash('sha256').update('never sent').digest('hex');
    const carried = Buffer.from('two\n');
    const blob = { hash: crypto.createHash('sha256').update(carried).digest('hex'), size: carried.length, open: () => Readable.from([carried]) };
    const write = async (records: PacketRecord[], blobs: (typeof blob)[]): Promise<string> => {
      const [w] = await writePacket(
        {
          kind: 'update',
          dir,
          compress: false,
          header: {
            sequence: 99,
            familyOid: info.familyOid,
            vobTag: r0.tag,
            comment: '',
            origin: { name: 'r0', oid: origin.oid },
            sendingHost: 'boston',
            targets: [{ name: 'r1', oid: info.replicaOid, host: 'sanfran', vobTag: '', incarnation: 0 }],
            senderRow: {},
          },
          signer: { host: 'boston', privateKey: loadPrivateKey(hostLayout(hosts[0].home)) },
        },
        [{ records, blobs }],
      );
      return w.path;
    };
    const version = (blobHash: string, size: number): PacketRecord =>
      ({ kind: 'version.create', origin: origin.oid, id: origin.row[origin.oid] + 1, at: 'now', path: 'a.c', branch: '/main', n: 2, blob: blobHash, size }) as PacketRecord;
    const before = await digest(r1.host.ctx, { tag: r1.tag });
    for (const [records, blobs] of [
      [[version(absent, 4)], []],
      [[version(blob.hash, 4)], []],
      // Carried, but named with another size.
      [[version(blob.hash, 5)], [blob]],
    ] as const) {
      const p = await write([...records], [...blobs]);
      const r = await importSync(r1.host.ctx, { sources: [p] });
      assert.deepStrictEqual(r.events.map((e) => e.type), ['quarantined']);
      assert.match((r.events[0] as { reason: string }).reason, /new version "a\.c@@\/main\/2"\) names content [0-9a-f]{16}\.\.\. of \d bytes that the packet does not carry/);
      assert.strictEqual(await digest(r1.host.ctx, { tag: r1.tag }), before);
    }
    // Entries of one origin out of order: not a packet waiting for predecessors (it carries them).
    const element = (id: number, p: string): PacketRecord => ({ kind: 'element.create', origin: origin.oid, id, at: 'now', path: p }) as PacketRecord;
    const next = origin.row[origin.oid] + 1;
    const shuffled = await importSync(r1.host.ctx, { sources: [await write([element(next, 'x.c'), element(next + 2, 'z.c'), element(next + 1, 'y.c')], [])] });
    assert.deepStrictEqual(shuffled.events.map((e) => e.type), ['quarantined']);
    assert.match((shuffled.events[0] as { reason: string }).reason, new RegExp(`entry ${next + 2} from replica "r0" follows entry ${next} in the packet`));
    assert.strictEqual(await digest(r1.host.ctx, { tag: r1.tag }), before);
    // The same entry with its content: applied, and its content reads back.
    const good = await importSync(r1.host.ctx, { sources: [await write([version(blob.hash, 4)], [blob])] });
    assert.deepStrictEqual(good.events.map((e) => e.type), ['applied']);
    const chunks: Buffer[] = [];
    for await (const c of await catVersion(r1.host.ctx, { tag: r1.tag, version: 'a.c@@/main/2' })) chunks.push(c as Buffer);
    assert.strictEqual(Buffer.concat(chunks).toString(), 'two\n');
  });
});

describe('syncreplica -import of a packet made before its origin was restored', function () {
  this.timeout(60_000);
  let root: string;
  let r0: TestReplica;
  let r1: TestReplica;
  let n = 0;

  beforeEach(async () => {
    root = tempDir('msintake-');
    const hosts = makeHosts(root, ['boston', 'sanfran']);
    [r0, r1] = await makeFamily(root, hosts, [0, 1]);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function send(from: TestReplica, to: TestReplica): Promise<string[]> {
    const out = path.join(root, `out-${n++}`);
    fs.mkdirSync(out);
    const ex = await exportSync(from.host.ctx, { targets: [`${to.name}@${from.tag}`], out });
    return ex.vobs.flatMap((v) => v.packets.map((p) => p.path));
  }

  it('does not take the row of a packet from before the restore, delivered after it: the restored replica still gets back what it lost', async () => {
    const v = path.join(root, 'v');
    fs.writeFileSync(v, 'one\n');
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: v });
    assert.ok((await importSync(r1.host.ctx, { sources: await send(r0, r1) })).ok);
    assert.ok((await importSync(r0.host.ctx, { sources: await send(r1, r0) })).ok);
    const dir = findVobTag(hostLayout(r0.host.home), r0.tag, 'boston').dir;
    const backup = path.join(root, 'backup');
    fs.cpSync(dir, backup, { recursive: true });
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'b.c', from: v });
    const late = await send(r0, r1);
    // r0 goes back to its backup (b.c lost there) and is restored; its first packet after the
    // restore reaches r1 before the one made before it.
    fs.rmSync(dir, { recursive: true });
    fs.cpSync(backup, dir, { recursive: true });
    await restorereplica(r0.host.ctx, { tag: r0.tag });
    assert.ok((await importSync(r1.host.ctx, { sources: await send(r0, r1) })).ok);
    assert.ok((await importSync(r1.host.ctx, { sources: late })).ok);
    assert.ok((await importSync(r0.host.ctx, { sources: await send(r1, r0) })).ok);
    assert.ok((await lsvtree(r0.host.ctx, { tag: r0.tag, path: 'b.c' })).length > 0, 'r0 got b.c back from r1');
    assert.strictEqual(await digest(r0.host.ctx, { tag: r0.tag }), await digest(r1.host.ctx, { tag: r1.tag }));
  });
});

describe('syncreplica -import of entries said to be made by the importing replica', function () {
  this.timeout(60_000);
  let root: string;
  let hosts: TestHost[];
  let r0: TestReplica;
  let r1: TestReplica;

  beforeEach(async () => {
    root = tempDir('msintake-');
    hosts = makeHosts(root, ['boston', 'sanfran']);
    [r0, r1] = await makeFamily(root, hosts, [0, 1]);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('quarantines a packet carrying entries of this replica that it never made (it is not recovering from a restore)', async () => {
    // r0 learns of r1 from r1's first packet.
    assert.ok((await importSync(r0.host.ctx, { sources: (await exportSync(r1.host.ctx, { targets: [`r0@${r1.tag}`], out: path.join(root, 'first') })).vobs[0].packets.map((p) => p.path) })).ok);
    const [info] = await listReplicas(r0.host.ctx, r0.tag);
    const self = info.replicas.find((r) => r.self);
    const origin = info.replicas.find((r) => r.name === 'r1');
    assert.ok(self && origin);
    const dir = path.join(root, 'forged');
    fs.mkdirSync(dir);
    // Sanfran signs for its own replica r1, as it may, but slips in an entry "made by r0".
    const [w] = await writePacket(
      {
        kind: 'update',
        dir,
        compress: false,
        header: {
          sequence: 9,
          familyOid: info.familyOid,
          vobTag: r1.tag,
          comment: '',
          origin: { name: 'r1', oid: origin.oid },
          sendingHost: 'sanfran',
          targets: [{ name: 'r0', oid: self.oid, host: 'boston', vobTag: '', incarnation: 0 }],
          senderRow: {},
        },
        signer: { host: 'sanfran', privateKey: loadPrivateKey(hostLayout(hosts[1].home)) },
      },
      [{ records: [{ kind: 'element.create', origin: self.oid, id: self.row[self.oid] + 1, at: 'now', path: 'evil.c' }], blobs: [] }],
    );
    const before = await digest(r0.host.ctx, { tag: r0.tag });
    const r = await importSync(r0.host.ctx, { sources: [w.path] });
    assert.deepStrictEqual(r.events.map((e) => e.type), ['quarantined']);
    assert.match((r.events[0] as { reason: string }).reason, /entry \d+ from replica "r0", this replica, which has only \d+ of its own and is not recovering from a restore/);
    assert.strictEqual(await digest(r0.host.ctx, { tag: r0.tag }), before);
  });
});
