import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { HostilePathError } from '../../../src/engine/errors';
import {
  PacketWriteError,
  readPacketHeader,
  readPacketEntries,
  readPacketHeaderSync,
  verifyPacket,
  writePacket,
  type BlobSource,
  type PacketUnit,
} from '../../../src/engine/packet';
import { hostKeys, lookupOf, makeUnits, memBlob, randomBytes, readBack, rng, sha256, tempDir, writeOptions, type HostKeys } from './packetFixtures';

describe('packet writer and reader', () => {
  let dir: string;
  let keys: HostKeys;
  beforeEach(() => {
    dir = tempDir();
    keys = hostKeys('boston');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /**
   * Records in unit order, blobs in unit order, and each record after its own unit's blobs.
   * Without -compress that is exactly the units' order; -compress gathers records into
   * deflated groups, which come after the content of the units they belong to.
   */
  function expectSameEntries(units: PacketUnit[], got: { order: string[]; blobs: Map<string, Buffer> }, exact = false): void {
    const want: string[] = [];
    for (const u of units) {
      for (const b of u.blobs) want.push(`b:${b.hash}`);
      for (const r of u.records) want.push(`r:${String(r.id)}:${r.origin ?? ''}`);
    }
    if (exact) assert.deepStrictEqual(got.order, want);
    const only = (xs: string[], p: string): string[] => xs.filter((x) => x.startsWith(p));
    assert.deepStrictEqual(only(got.order, 'r:'), only(want, 'r:'));
    assert.deepStrictEqual(only(got.order, 'b:'), only(want, 'b:'));
    for (const u of units) {
      const last = Math.max(-1, ...u.blobs.map((b) => got.order.indexOf(`b:${b.hash}`)));
      for (const r of u.records) assert.ok(got.order.indexOf(`r:${String(r.id)}:${r.origin ?? ''}`) > last, `record ${String(r.id)} comes before its content`);
    }
    for (const [hash, content] of got.blobs) assert.strictEqual(sha256(content), hash);
  }

  for (const compress of [false, true]) {
    it(`reads back every record and blob in written order ${compress ? 'with' : 'without'} compression`, async () => {
      const units = makeUnits(40, { seed: 3 });
      const [w, ...more] = await writePacket(writeOptions(dir, keys, { compress, fileName: 'update1' }), units);
      assert.strictEqual(more.length, 0);
      assert.strictEqual(w.path, path.join(dir, 'update1'));
      assert.strictEqual(fs.statSync(w.path).size, w.bytes);
      const got = await readBack(w.path, lookupOf(keys));
      expectSameEntries(units, got, !compress);
      assert.deepStrictEqual(
        got.records.map((e) => (e.type === 'record' ? e.record : undefined)),
        units.flatMap((u) => u.records),
      );
      assert.strictEqual(w.header.body.compression, compress ? 'frames' : 'none');
      assert.strictEqual(w.header.body.records, 40);
      assert.strictEqual(w.header.body.blobs, 20);
      assert.deepStrictEqual(await verifyPacket(w.path, lookupOf(keys)), w.header);
    });
  }

  it('compression makes a packet of repetitive content smaller', async () => {
    const content = Buffer.alloc(200_000, 'all work and no play ');
    const units = [{ records: [{ kind: 'checkin', origin: 'oid-boston', id: 1 }], blobs: [memBlob(content)] }];
    const [plain] = await writePacket(writeOptions(dir, keys, { fileName: 'plain' }), units);
    const [packed] = await writePacket(writeOptions(dir, keys, { fileName: 'packed', compress: true }), units);
    assert.ok(packed.bytes < plain.bytes / 10, `${packed.bytes} vs ${plain.bytes}`);
    assert.deepStrictEqual((await readBack(packed.path)).blobs.get(sha256(content)), content);
  });

  it('-compress sends content its store kept as it is (keptRaw) as it is, small or large', async () => {
    const small = Buffer.alloc(200_000, 'all work and no play ');
    const large = Buffer.alloc(3_000_000, 'all work and no play ');
    const units = [small, large].map((c, i) => ({ records: [{ kind: 'checkin', origin: 'oid-boston', id: i + 1 }], blobs: [{ ...memBlob(c), keptRaw: true }] }));
    const [w] = await writePacket(writeOptions(dir, keys, { fileName: 'raw', compress: true }), units);
    assert.ok(w.bytes > small.length + large.length, `${w.bytes}`);
    const back = (await readBack(w.path)).blobs;
    assert.deepStrictEqual(back.get(sha256(small)), small);
    assert.deepStrictEqual(back.get(sha256(large)), large);
  });

  it('-compress deflates content and records frame by frame, leaves incompressible content as it is, within -maxsize', async () => {
    const next = rng(21);
    const text = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(20_000));
    const noise = randomBytes(next, 900_000);
    const big = Buffer.from('a large text file, streamed and deflated as it goes\n'.repeat(60_000));
    const contents = [text, noise, text.subarray(100), noise.subarray(7), big];
    const units = contents.map((c, i) => ({ records: [{ kind: 'checkin', origin: 'oid-boston', id: i + 1, note: 'x'.repeat(2000) }], blobs: [memBlob(c, 65536)] }));
    const written = await writePacket(writeOptions(dir, keys, { compress: true, maxBytes: 1_000_000 }), units);
    // Planned from sizes before compression: every unit here is planned to take most of a packet.
    assert.strictEqual(written.length, 5);
    const got = new Map<string, Buffer>();
    for (const w of written) {
      assert.ok(w.bytes <= 1_000_000 || w.header.body.blobs === 1, `${w.bytes}`);
      assert.strictEqual(w.header.body.compression, 'frames');
      for (const [h, b] of (await readBack(w.path, lookupOf(keys))).blobs) got.set(h, b);
    }
    for (const c of contents) assert.deepStrictEqual(got.get(sha256(c)), c);
    assert.ok(written[0].bytes < text.length / 20, `${written[0].bytes}`);
    assert.ok(written[1].bytes > noise.length, 'noise is sent as it is');
    assert.ok(written[4].bytes < big.length / 20, 'large text is deflated as it streams');
  });

  it('-compress writes a record too large to group as a frame of its own, in order, and reads it back', async () => {
    const big = 'a fairly compressible comment line\n'.repeat(120_000);
    const units = [
      { records: [{ kind: 'checkin', origin: 'oid-boston', id: 1, comment: 'x'.repeat(900_000) }], blobs: [] },
      { records: [{ kind: 'checkin', origin: 'oid-boston', id: 2, comment: big }], blobs: [] },
      { records: [{ kind: 'checkin', origin: 'oid-boston', id: 3, comment: 'small' }], blobs: [] },
    ];
    const [w] = await writePacket(writeOptions(dir, keys, { compress: true, fileName: 'bigrec' }), units);
    const got = await readBack(w.path, lookupOf(keys));
    assert.deepStrictEqual(got.records.map((e) => (e.type === 'record' ? e.record.id : undefined)), [1, 2, 3]);
    assert.strictEqual((got.records[1].type === 'record' ? got.records[1].record.comment : '') as string, big);
  });

  it('header carries everything lspacket shows', async () => {
    const [w] = await writePacket(writeOptions(dir, keys, { fileName: 'p' }), makeUnits(3));
    const h = await readPacketHeader(w.path);
    assert.deepStrictEqual(h, w.header);
    assert.deepStrictEqual(readPacketHeaderSync(w.path), h);
    assert.strictEqual(h.major, 1);
    assert.strictEqual(h.minor, 3);
    assert.strictEqual(h.kind, 'update');
    assert.match(h.packetId, /^[0-9a-f-]{36}$/);
    assert.deepStrictEqual(h.fragment, { index: 1, count: 1 });
    assert.strictEqual(h.sequence, 7);
    assert.strictEqual(h.familyOid, '12a3456b.78c901d2.e3ab.45:67:89:c0:1d:e2');
    assert.strictEqual(h.comment, 'nightly update');
    assert.strictEqual(h.sendingHost, 'boston');
    assert.deepStrictEqual(h.targets[0], { name: 'sanfran_hub', oid: 'oid-sanfran', host: 'sanfran', vobTag: '/vobs/dev', incarnation: 0 });
    assert.deepStrictEqual(h.ranges, [{ name: 'boston_hub', oid: 'oid-boston', firstOplogId: 1, lastOplogId: 3, incarnation: 0 }]);
    assert.deepStrictEqual(h.senderRow, { 'oid-boston': 12, 'oid-sanfran': 3 });
    assert.ok(!Number.isNaN(Date.parse(h.createdAt)));
  });

  it('ranges name each originating replica, with names and incarnations from the options', async () => {
    const units = makeUnits(10, { origins: ['oid-boston', 'oid-bangalore'], firstId: 50 });
    const [w] = await writePacket(
      writeOptions(dir, keys, { fileName: 'p', replicas: [{ oid: 'oid-bangalore', name: 'bangalore', incarnation: 2 }] }),
      units,
    );
    assert.deepStrictEqual(w.header.ranges, [
      { name: 'boston_hub', oid: 'oid-boston', firstOplogId: 50, lastOplogId: 54, incarnation: 0 },
      { name: 'bangalore', oid: 'oid-bangalore', firstOplogId: 50, lastOplogId: 54, incarnation: 2 },
    ]);
  });

  for (const compress of [false, true]) {
    it(`splits at -maxsize into fragments that each fit and read back in order ${compress ? 'with' : 'without'} compression`, async () => {
      // Random bytes do not compress: the worst case for the gzip bound.
      const units = makeUnits(60, { seed: 11, blobBytes: 4000 });
      const maxBytes = 16 * 1024;
      const written = await writePacket(writeOptions(dir, keys, { compress, maxBytes, fileName: 'big' }), units);
      assert.ok(written.length > 3, `only ${written.length} fragments`);
      const ids = new Set(written.map((w) => w.header.packetId));
      assert.strictEqual(ids.size, 1);
      const order: string[] = [];
      const blobs = new Map<string, Buffer>();
      for (const [i, w] of written.entries()) {
        assert.strictEqual(path.basename(w.path), `big_${i + 1}`);
        assert.deepStrictEqual(w.header.fragment, { index: i + 1, count: written.length });
        assert.ok(fs.statSync(w.path).size <= maxBytes, `fragment ${i + 1} is ${fs.statSync(w.path).size} bytes`);
        const got = await readBack(w.path, lookupOf(keys));
        order.push(...got.order);
        for (const [h, b] of got.blobs) blobs.set(h, b);
        const ids = got.records.map((e) => (e.type === 'record' ? (e.record.id as number) : -1));
        assert.deepStrictEqual(w.header.ranges.map((r) => [r.firstOplogId, r.lastOplogId]), [[Math.min(...ids), Math.max(...ids)]]);
      }
      expectSameEntries(units, { order, blobs });
    });
  }

  it('splits random histories at random sizes: every fragment within the limit unless it is one oversized unit, nothing lost', async () => {
    const seed = Number(process.env.PACKET_SPLIT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const next = rng(seed);
    for (let round = 0; round < 25; round++) {
      const sub = path.join(dir, `r${round}`);
      fs.mkdirSync(sub);
      const compress = next() < 0.5;
      const units = makeUnits(1 + Math.floor(next() * 30), { seed: Math.floor(next() * 1e9), blobBytes: Math.floor(next() * 20_000), origins: next() < 0.5 ? ['oid-a'] : ['oid-a', 'oid-b', 'oid-c'] });
      const maxBytes = 1500 + Math.floor(next() * 30_000);
      const context = `seed ${seed} (replay with PACKET_SPLIT_SEED=${seed}), round ${round}, maxBytes ${maxBytes}, compress ${compress}`;
      let warnings = 0;
      const written = await writePacket(writeOptions(sub, keys, { compress, maxBytes, onWarning: () => warnings++ }), units);
      const order: string[] = [];
      const blobs = new Map<string, Buffer>();
      let oversized = 0;
      for (const [i, w] of written.entries()) {
        assert.deepStrictEqual(w.header.fragment, { index: i + 1, count: written.length }, context);
        const size = fs.statSync(w.path).size;
        const got = await readBack(w.path, lookupOf(keys));
        if (size > maxBytes) {
          oversized++;
          assert.strictEqual(w.header.body.records, 1, `${context}: fragment ${i + 1} of ${size} bytes holds more than one unit`);
        }
        order.push(...got.order);
        for (const [h, b] of got.blobs) blobs.set(h, b);
      }
      assert.strictEqual(warnings, oversized, context);
      try {
        expectSameEntries(units, { order, blobs });
      } catch (e) {
        throw new Error(`${context}: ${(e as Error).message}`);
      }
    }
  });

  it('keeps every fragment index whatever order the fragments are read in', async () => {
    const written = await writePacket(writeOptions(dir, keys, { maxBytes: 8 * 1024 }), makeUnits(30, { seed: 5, blobBytes: 3000 }));
    assert.ok(written.length > 2);
    const next = rng(99);
    const shuffled = written.map((w) => w.path).sort(() => next() - 0.5);
    const headers = await Promise.all(shuffled.map((p) => readPacketHeader(p)));
    const byIndex = headers.map((h, i) => [h.fragment.index, shuffled[i]] as const).sort((a, b) => a[0] - b[0]);
    assert.deepStrictEqual(byIndex.map(([, p]) => p), written.map((w) => w.path));
    assert.ok(headers.every((h) => h.fragment.count === written.length));
  });

  it('sends a unit larger than -maxsize alone, whole, with a warning', async () => {
    const next = rng(4);
    const small = (id: number): PacketUnit => ({ records: [{ kind: 'op', origin: 'oid-boston', id }], blobs: [] });
    const huge = memBlob(randomBytes(next, 50_000));
    const units = [small(1), { records: [{ kind: 'checkin', origin: 'oid-boston', id: 2 }], blobs: [huge] }, small(3)];
    const warnings: string[] = [];
    const written = await writePacket(writeOptions(dir, keys, { maxBytes: 10_000, fileName: 'x', onWarning: (t) => warnings.push(t) }), units);
    assert.strictEqual(written.length, 3);
    assert.ok(written[1].bytes > 50_000);
    assert.strictEqual(written[1].header.body.blobs, 1);
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /x_2 is larger than the maximum size of 10000 bytes/);
    assert.deepStrictEqual((await readBack(written[1].path)).blobs.get(huge.hash)?.length, 50_000);
  });

  it('says the header is the large part when many targets leave a tiny -maxsize no room for a change', async () => {
    const targets = Array.from({ length: 40 }, (_, i) => ({ name: `replica_with_a_long_name_${i}`, oid: `oid-target-${i}`, host: `host${i}.example.com`, vobTag: '/vobs/dev', incarnation: 0 }));
    const base = writeOptions(dir, keys);
    const opts = { ...base, header: { ...base.header, targets } };
    const units = [{ records: [{ kind: 'checkin', origin: 'oid-boston', id: 1, note: 'x'.repeat(600) }], blobs: [] }];
    // Just above what the header and signature alone need: room for the end frame, not for the change.
    let least = 0;
    await writePacket({ ...opts, fileName: 'probe', maxBytes: 100 }, units).catch((e: Error) => (least = Number(/\((\d+) bytes\)/.exec(e.message)?.[1])));
    assert.ok(least > 4000, `header bound ${least}`);
    const warnings: string[] = [];
    const [w] = await writePacket({ ...opts, fileName: 'tiny', maxBytes: least + 100, onWarning: (t) => warnings.push(t) }, units);
    assert.ok(w.bytes > least + 100);
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /tiny is \d+ bytes, larger than the maximum size of \d+ bytes: its header and signature alone take \d+ bytes .*leaving too little room for one change of \d+ bytes\. Use a larger -maxsize\./);
  });

  it('refuses a maximum size too small for the header itself', async () => {
    await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'p', maxBytes: 300 }), makeUnits(2)), /the maximum size of 300 bytes is smaller than the packet's own header and signature \(\d+ bytes\); use a larger -maxsize/);
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });

  it('writes one packet with an empty body when there is nothing to send', async () => {
    const [w] = await writePacket(writeOptions(dir, keys, { fileName: 'empty' }), []);
    assert.deepStrictEqual(w.header.ranges, []);
    assert.strictEqual(w.header.body.records, 0);
    assert.deepStrictEqual((await readBack(w.path, lookupOf(keys))).order, []);
  });

  it('generates names as the original does: sync_<replica>_<time>_<pid>_<n>, repl_ for creation', async () => {
    const written = await writePacket(writeOptions(dir, keys, { maxBytes: 8 * 1024 }), makeUnits(20, { blobBytes: 3000 }));
    const pat = new RegExp(`^sync_boston_hub_\\d{4}-\\d\\d-\\d\\dT\\d{6}[+-]\\d{4}_${process.pid}_(\\d+)$`);
    const ns = written.map((w) => Number(pat.exec(path.basename(w.path))?.[1]));
    assert.ok(ns.every((n) => n > 0), written.map((w) => w.path).join(' '));
    assert.strictEqual(new Set(ns).size, ns.length);
    const [c] = await writePacket(writeOptions(dir, keys, { kind: 'creation' }), makeUnits(1));
    assert.match(path.basename(c.path), /^repl_boston_hub_/);
    assert.strictEqual(c.header.kind, 'creation');
  });

  it('leaves no file under a packet name, and no temporary file, when content fails mid-write', async () => {
    const failing: BlobSource = {
      hash: 'a'.repeat(64),
      size: 100_000,
      open: () =>
        Readable.from(
          (async function* () {
            yield Buffer.alloc(30_000);
            throw new Error('disk read error');
          })(),
        ),
    };
    const units = [...makeUnits(3), { records: [{ kind: 'checkin', origin: 'oid-boston', id: 9 }], blobs: [failing] }];
    await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'p', maxBytes: 8 * 1024 }), units), /disk read error/);
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });

  it('removes temporary files of a writer that died, and keeps those of a live one', async () => {
    const dead = `.sync_x_1.999999999.0badcafe.tmp`;
    const live = `.sync_x_2.${process.ppid}.0badcafe.tmp`;
    fs.writeFileSync(path.join(dir, dead), 'half');
    fs.writeFileSync(path.join(dir, live), 'busy');
    await writePacket(writeOptions(dir, keys, { fileName: 'p' }), makeUnits(1));
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), [live, 'p']);
  });

  it('reports content that cannot be opened, even when it failed before its turn came', async () => {
    const missing: BlobSource = { hash: 'b'.repeat(64), size: 10, open: () => fs.createReadStream(path.join(dir, 'no-such-blob')) };
    const units = [...makeUnits(2, { blobBytes: 200_000 }), { records: [{ kind: 'checkin', origin: 'oid-boston', id: 9 }], blobs: [missing] }, ...makeUnits(2)];
    await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'p' }), units), /ENOENT/);
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });

  it('refuses content that does not match its hash or size', async () => {
    const b = memBlob(Buffer.from('hello'));
    const liar: BlobSource = { ...b, open: () => Readable.from([Buffer.from('jello')]) };
    const shorter: BlobSource = { ...b, size: 9 };
    for (const blob of [liar, shorter]) {
      await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'p' }), [{ records: [{ kind: 'k' }], blobs: [blob] }]), PacketWriteError);
    }
    await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'p' }), [{ records: [], blobs: [{ ...b, hash: 'xyz' }] }]), /not a sha256/);
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });

  it('copies content read positionally, small and larger than a block, exactly as streamed content', async () => {
    const next = rng(7);
    const contents = [Buffer.from('x'), randomBytes(next, 300_000), randomBytes(next, 2_500_000), randomBytes(next, 1000)];
    const positional = (c: Buffer, trusted: boolean): BlobSource => ({
      ...memBlob(c),
      open: () => {
        throw new Error('a positional source is not streamed');
      },
      readSync: (buf, offset, length, position) => c.copy(buf, offset, position, position + length),
      trusted,
    });
    const units = contents.map((c, i) => ({ records: [{ kind: 'checkin', origin: 'oid-boston', id: i + 1 }], blobs: [positional(c, i % 2 === 0), memBlob(Buffer.concat([c, Buffer.from('s')]))] }));
    for (const compress of [false, true]) {
      const name = `p${compress}`;
      const [w] = await writePacket(writeOptions(dir, keys, { fileName: name, compress }), units);
      const back = await readBack(w.path, lookupOf(keys));
      for (const c of contents) {
        assert.deepStrictEqual(back.blobs.get(sha256(c)), c);
        assert.deepStrictEqual(back.blobs.get(sha256(Buffer.concat([c, Buffer.from('s')]))), Buffer.concat([c, Buffer.from('s')]));
      }
    }
  });

  it('checks the hash of untrusted positional content, and the size of trusted content', async () => {
    const good = Buffer.from('hello');
    const bad = Buffer.from('jello');
    const readOf = (c: Buffer): BlobSource['readSync'] => (buf, offset, length, position) => c.copy(buf, offset, position, Math.min(c.length, position + length));
    const untrusted: BlobSource = { ...memBlob(good), readSync: readOf(bad) };
    const short: BlobSource = { ...memBlob(good), size: 9, readSync: readOf(good), trusted: true };
    const streamedShort: BlobSource = { ...memBlob(good), size: 9, trusted: true };
    for (const blob of [untrusted, short, streamedShort]) {
      await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'p' }), [{ records: [{ kind: 'k' }], blobs: [blob] }]), /changed while it was being exported/);
    }
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });

  it('never overwrites an existing file named with -out', async () => {
    fs.writeFileSync(path.join(dir, 'update1'), 'precious');
    await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'update1' }), makeUnits(2)), /already exists/);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'update1'), 'utf8'), 'precious');
    assert.deepStrictEqual(fs.readdirSync(dir), ['update1']);
  });

  it('refuses a file name with a directory part', async () => {
    for (const name of ['../evil', 'a/b', '..', '/abs', '']) {
      await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: name }), makeUnits(1)), HostilePathError, name);
    }
  });

  it('reads an abandoned content stream anyway and still checks it', async () => {
    const units = makeUnits(6, { seed: 8 });
    const [w] = await writePacket(writeOptions(dir, keys, { fileName: 'p', compress: true }), units);
    let records = 0;
    for await (const e of readPacketEntries(w.path)) {
      if (e.type === 'record') records++;
    }
    assert.strictEqual(records, 6);
  });
});
