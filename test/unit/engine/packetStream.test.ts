import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import {
  OneEntryUnit,
  readPacketHeader,
  verifyPacket,
  writePacket,
  type BlobSource,
  type PacketUnit,
  type PacketUnitSource,
  type PacketWriteOptions,
  type WrittenPacket,
} from '../../../src/engine/packet';
import { loadPrivateKey } from '../../../src/engine/host/keys';
import { BlobMissingError } from '../../../src/engine/store/errors';
import { Replica } from '../../../src/engine/store/replica';
import { chepoch, exportSync, findVobTag, fsimport, hostLayout, mkelem, type ExportRequest } from '../../../src/engine/sync';
import { hostKeys, lookupOf, memBlob, randomBytes, readBack, rng, sha256, tempDir, writeOptions, type HostKeys } from './packetFixtures';
import { makeFamily, makeHosts, type TestHost, type TestReplica } from './sync/syncFixtures';

/** An oplog entry's unit as an export makes it: its own record, at most one content source. */
class TestEntry extends OneEntryUnit {
  constructor(
    origin: string,
    id: number,
    json: string,
    private readonly source: BlobSource | undefined,
  ) {
    super(origin, id, json);
  }

  get content(): BlobSource | undefined {
    return this.source;
  }
}

/** Content read positionally, as the sender's store reads its packs. */
function positional(content: Buffer): BlobSource {
  return {
    hash: sha256(content),
    size: content.length,
    open: () => Readable.from([content]),
    readSync: (buf, offset, length, position) => content.copy(buf, offset, position, position + length),
  };
}

/**
 * Units of every kind the writer takes: entries with positional, streamed or no content,
 * plain units with several records and blobs, and now and then one larger than `huge` bytes.
 */
function mixedUnits(next: () => number, count: number, origins: string[], huge: number): PacketUnit[] {
  const ids = new Map<string, number>();
  const id = (o: string): number => {
    const n = (ids.get(o) ?? 0) + 1;
    ids.set(o, n);
    return n;
  };
  const units: PacketUnit[] = [];
  for (let i = 0; i < count; i++) {
    const origin = origins[Math.floor(next() * origins.length)];
    const size = next() < 0.05 ? huge + Math.floor(next() * 1000) : Math.floor(next() * 3000);
    // Half compressible text, half random bytes, so -compress keeps some frames and deflates others.
    const content = next() < 0.5 ? Buffer.from(`line ${i}\n`.repeat(Math.ceil(size / 8)).slice(0, size)) : randomBytes(next, size);
    const kind = next();
    if (kind < 0.4) {
      const n = id(origin);
      units.push(new TestEntry(origin, n, JSON.stringify({ origin, id: n, kind: 'version.create', note: 'é'.repeat(i % 7) }), next() < 0.5 ? positional(content) : memBlob(content)));
    } else if (kind < 0.6) {
      const n = id(origin);
      units.push(new TestEntry(origin, n, JSON.stringify({ origin, id: n, kind: 'element.create' }), undefined));
    } else if (kind < 0.8) {
      const n = id(origin);
      units.push({ records: [{ kind: 'checkin', origin, id: n, blob: sha256(content) }], blobs: [memBlob(content)] });
    } else {
      const a = id(origin);
      const b = id(origin);
      const other = randomBytes(next, Math.floor(next() * 500));
      units.push({ records: [{ kind: 'checkin', origin, id: a }, { kind: 'label', origin, id: b }], blobs: [positional(content), memBlob(other)] });
    }
  }
  return units;
}

/** The units as an asynchronous source: one at a time, or in batches of random sizes (some empty). */
async function* streamOf(units: readonly PacketUnit[], next: () => number, batched: boolean): AsyncGenerator<PacketUnit | PacketUnit[]> {
  for (let i = 0; i < units.length; ) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!batched) {
      yield units[i++];
      continue;
    }
    const n = Math.floor(next() * 5) === 0 ? 0 : 1 + Math.floor(next() * 40);
    yield units.slice(i, i + n);
    i += n;
  }
}

interface FragmentView {
  name: string;
  fragment: { index: number; count: number };
  ranges: unknown;
  body: unknown;
  bytes: number;
  order: string[];
}

/** What a packet carries, fragment by fragment, without what differs between two writes of it (id, time). */
async function viewOf(written: WrittenPacket[], keys: HostKeys): Promise<FragmentView[]> {
  const out: FragmentView[] = [];
  for (const w of written) {
    const got = await readBack(w.path, lookupOf(keys));
    const order = got.order.map((o) => (o.startsWith('b:') ? `${o}:${sha256(got.blobs.get(o.slice(2)) as Buffer)}` : o));
    const records = got.records.map((e) => (e.type === 'record' ? JSON.stringify(e.record) : ''));
    out.push({ name: path.basename(w.path), fragment: w.header.fragment, ranges: w.header.ranges, body: w.header.body, bytes: w.bytes, order: [...order, ...records] });
  }
  return out;
}

/** Every fragment on disk says "i of n" for its place, and stays within the limit unless it is one oversized unit. */
async function checkFragments(written: WrittenPacket[], maxBytes: number, warnings: number, context: string): Promise<void> {
  let oversized = 0;
  for (const [i, w] of written.entries()) {
    const h = await readPacketHeader(w.path);
    assert.deepStrictEqual(h.fragment, { index: i + 1, count: written.length }, context);
    const size = fs.statSync(w.path).size;
    assert.strictEqual(size, w.bytes, context);
    if (size > maxBytes) {
      oversized++;
      const units = h.body.records;
      assert.ok(units <= 2 && h.body.blobs <= 2, `${context}: fragment ${i + 1} of ${size} bytes carries more than one unit`);
    }
  }
  assert.strictEqual(warnings, oversized, context);
}

describe('packet writer over a stream of units', () => {
  let dir: string;
  let keys: HostKeys;
  beforeEach(() => {
    dir = tempDir('mspktstream-');
    keys = hostKeys('boston');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function write(name: string, over: Partial<PacketWriteOptions>, units: PacketUnitSource): Promise<{ written: WrittenPacket[]; warnings: string[] }> {
    const sub = path.join(dir, name);
    fs.mkdirSync(sub);
    const warnings: string[] = [];
    const written = await writePacket(writeOptions(sub, keys, { fileName: 'p', onWarning: (t) => warnings.push(t), ...over }), units);
    return { written, warnings };
  }

  it('writes from an asynchronous source exactly what it writes from an array, split or not, compressed or not', async () => {
    const seed = Number(process.env.PACKET_STREAM_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const next = rng(seed);
    for (let round = 0; round < 12; round++) {
      const compress = round % 2 === 1;
      const maxBytes = round < 4 ? undefined : 6000 + Math.floor(next() * 40_000);
      const units = mixedUnits(next, 20 + Math.floor(next() * 120), ['oid-boston', 'oid-sanfran', 'oid-bangalore'], maxBytes ?? 50_000);
      const context = `seed ${seed} (replay with PACKET_STREAM_SEED=${seed}), round ${round}, maxBytes ${maxBytes}, compress ${compress}`;
      const over = { compress, maxBytes, replicas: [{ oid: 'oid-bangalore', name: 'bangalore', incarnation: 3 }] };
      const array = await write(`a${round}`, over, units);
      const streamed = await write(`s${round}`, over, streamOf(units, next, round % 3 !== 0));
      assert.deepStrictEqual(await viewOf(streamed.written, keys), await viewOf(array.written, keys), context);
      assert.deepStrictEqual(streamed.warnings.map((w) => w.replace(`${path.sep}s${round}${path.sep}`, '/')), array.warnings.map((w) => w.replace(`${path.sep}a${round}${path.sep}`, '/')), context);
      const records = (await viewOf(array.written, keys)).flatMap((v) => v.order.filter((o) => o.startsWith('{')));
      assert.deepStrictEqual(records.map((r) => JSON.parse(r) as unknown), units.flatMap((u) => (u instanceof TestEntry ? [JSON.parse(u.json) as unknown] : u.records)), context);
      if (maxBytes !== undefined) {
        // Split exactly when it had to be: one packet only if everything fits in one.
        const whole = array.written.reduce((n, w) => n + w.bytes, 0);
        assert.ok(array.written.length > 1 || whole <= maxBytes, `${context}: ${whole} bytes not split`);
        await checkFragments(streamed.written, maxBytes, streamed.warnings.length, context);
        assert.ok(
          streamed.written.every((w) => w.header.ranges.every((r) => r.firstOplogId <= r.lastOplogId)),
          context,
        );
      } else assert.strictEqual(array.written.length, 1, context);
    }
  });

  it('sends a unit larger than -maxsize alone, whole, with a warning naming its file, from a stream too', async () => {
    const next = rng(8);
    const entry = (id: number, content?: Buffer): PacketUnit => new TestEntry('oid-boston', id, JSON.stringify({ origin: 'oid-boston', id, kind: 'version.create' }), content ? positional(content) : undefined);
    const units = [entry(1, randomBytes(next, 2000)), entry(2), entry(3, randomBytes(next, 40_000)), entry(4, randomBytes(next, 2000)), entry(5)];
    const { written, warnings } = await write('x', { maxBytes: 10_000 }, streamOf(units, next, true));
    assert.deepStrictEqual(written.map((w) => [path.basename(w.path), w.header.body.records]), [['p_1', 2], ['p_2', 1], ['p_3', 2]]);
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /p_2 is larger than the maximum size of 10000 bytes: it carries one change of 40\d\d\d bytes/);
    await checkFragments(written, 10_000, warnings.length, 'oversized');
  });

  it('makes room for an origin nobody named, keeping every fragment within -maxsize', async () => {
    // An oid far longer than the ranges reserved for the named replicas: the header outgrows its area.
    const stranger = `oid-${'s'.repeat(600)}`;
    const next = rng(21);
    const units = mixedUnits(next, 60, ['oid-boston', stranger], 20_000);
    for (const maxBytes of [undefined, 12_000]) {
      const array = await write(`a${maxBytes ?? 0}`, { maxBytes }, units);
      const streamed = await write(`s${maxBytes ?? 0}`, { maxBytes }, streamOf(units, next, true));
      assert.deepStrictEqual(await viewOf(streamed.written, keys), await viewOf(array.written, keys));
      for (const w of streamed.written) await verifyPacket(w.path, lookupOf(keys));
      assert.ok(streamed.written.some((w) => w.header.ranges.some((r) => r.oid === stranger && r.name === stranger)));
      if (maxBytes !== undefined) await checkFragments(streamed.written, maxBytes, streamed.warnings.length, `maxBytes ${maxBytes}`);
      assert.deepStrictEqual(fs.readdirSync(path.join(dir, `s${maxBytes ?? 0}`)).filter((n) => n.startsWith('.')), []);
    }
  });

  it('reserves header room only for the origins it is told the units may carry, and still takes any other', async () => {
    const next = rng(13);
    const replicas = Array.from({ length: 12 }, (_, i) => ({ oid: `oid-replica-${i}`, name: `replica_${i}`, incarnation: i }));
    const units = mixedUnits(next, 30, ['oid-boston'], 20_000);
    const all = await write('all', { replicas }, units);
    const told = await write('told', { replicas, origins: ['oid-boston'] }, streamOf(units, next, true));
    assert.ok(told.written[0].bytes + 12 * 100 < all.written[0].bytes, `${told.written[0].bytes} against ${all.written[0].bytes}`);
    assert.deepStrictEqual((await viewOf(told.written, keys)).map((v) => v.order), (await viewOf(all.written, keys)).map((v) => v.order));
    // An entry of an origin it was not told of: the header grows past its reserved room.
    const more = [...units, new TestEntry('oid-replica-3', 1, JSON.stringify({ origin: 'oid-replica-3', id: 1, kind: 'element.create' }), undefined)];
    for (const maxBytes of [undefined, 9000]) {
      const { written, warnings } = await write(`more${maxBytes ?? 0}`, { replicas, origins: ['oid-boston'], maxBytes }, streamOf(more, next, false));
      for (const w of written) await verifyPacket(w.path, lookupOf(keys));
      assert.deepStrictEqual(written[written.length - 1].header.ranges.find((r) => r.oid === 'oid-replica-3'), { name: 'replica_3', oid: 'oid-replica-3', firstOplogId: 1, lastOplogId: 1, incarnation: 3 });
      if (maxBytes !== undefined) await checkFragments(written, maxBytes, warnings.length, `maxBytes ${maxBytes}`);
    }
  });

  it('leaves no packet and no temporary file when its source fails after fragments were written', async () => {
    const next = rng(5);
    const units = mixedUnits(next, 40, ['oid-boston'], 5000);
    async function* failing(): AsyncGenerator<PacketUnit[]> {
      yield units.slice(0, 30);
      throw new BlobMissingError('c'.repeat(64), 'boston_hub');
    }
    for (const compress of [false, true]) {
      await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'p', maxBytes: 8000, compress }), failing()), BlobMissingError);
      assert.deepStrictEqual(fs.readdirSync(dir), []);
    }
  });

  it('stops reading its source when writing fails', async () => {
    let finished = false;
    const bad: BlobSource = { hash: 'a'.repeat(64), size: 10, open: () => Readable.from([Buffer.alloc(3)]) };
    async function* source(): AsyncGenerator<PacketUnit> {
      try {
        yield { records: [{ kind: 'k', origin: 'oid-boston', id: 1 }], blobs: [bad] };
        for (let id = 2; ; id++) yield { records: [{ kind: 'k', origin: 'oid-boston', id }], blobs: [] };
      } finally {
        finished = true;
      }
    }
    await assert.rejects(writePacket(writeOptions(dir, keys, { fileName: 'p' }), source()), /changed while it was being exported/);
    assert.ok(finished, 'the source was left open');
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });
});

describe('syncreplica -export, units made as the packet is written', () => {
  let root: string;
  let hosts: TestHost[];
  let a: TestReplica;
  let reps: TestReplica[];
  let n = 0;

  beforeEach(async () => {
    root = tempDir('mspktstream-sync-');
    hosts = makeHosts(root, ['boston', 'sanfran']);
    reps = await makeFamily(root, hosts, [0, 1]);
    a = reps[0];
    // Packed content (one fsimport of many files), loose content (mkelem one at a time),
    // compressible and not, and entries without content.
    const src = path.join(root, 'src');
    fs.mkdirSync(src);
    const next = rng(3);
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(src, `f${i}.c`), i % 2 ? `int f${i};\n`.repeat(50 + i) : randomBytes(next, 300 + i * 40));
    await fsimport(a.host.ctx, { tag: a.tag, dir: src });
    for (let i = 0; i < 5; i++) await mkelem(a.host.ctx, { tag: a.tag, path: `loose${i}.c`, from: file(i % 2 ? Buffer.from('x'.repeat(4000)) : randomBytes(next, 2000)) });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function file(content: Buffer): string {
    const f = path.join(root, `content-${n++}`);
    fs.writeFileSync(f, content);
    return f;
  }

  function outDir(): string {
    const d = path.join(root, `out-${n++}`);
    fs.mkdirSync(d);
    return d;
  }

  /** Counts second reads of the oplog, so a test knows which way the units were made. */
  async function countingLines<T>(fn: () => Promise<T>): Promise<{ result: T; reads: number }> {
    const original = Replica.prototype.entryLines;
    let reads = 0;
    Replica.prototype.entryLines = function (this: Replica) {
      reads++;
      return original.call(this);
    };
    try {
      return { result: await fn(), reads };
    } finally {
      Replica.prototype.entryLines = original;
    }
  }

  async function exportAt(from: number, over: Partial<ExportRequest>): Promise<{ views: FragmentView[]; ops: number; reads: number }> {
    const target = reps[1];
    await chepoch(a.host.ctx, { replica: `${target.name}@${a.tag}`, values: [`${a.name}=${from}`] });
    const { result, reads } = await countingLines(() => exportSync(a.host.ctx, { targets: [`${target.name}@${a.tag}`], out: outDir(), ...over }));
    const packets = result.vobs.flatMap((v) => v.packets);
    const privateKey = loadPrivateKey(hostLayout(a.host.home));
    const keys: HostKeys = { host: a.host.name, privateKey, publicKey: crypto.createPublicKey(privateKey) };
    const views = await viewOf(packets, keys);
    for (const v of views) v.name = v.name.replace(/_\d+$/, '');
    return { views, ops: result.vobs[0]?.ops ?? 0, reads };
  }

  it('reads the oplog once, a line at a time, and sends the same entries in every form of packet', async () => {
    const sent: number[] = [];
    for (const from of [0, 20]) {
      const forms = [{}, { compress: true }, { maxBytes: 9000 }, { maxBytes: 9000, compress: true }];
      const records: string[][] = [];
      for (const over of forms) {
        const got = await exportAt(from, over);
        const context = `from ${from}, ${JSON.stringify(over)}`;
        assert.strictEqual(got.reads, 1, `${context}: the oplog was not streamed once`);
        assert.ok(got.ops > 10, `${context}: only ${got.ops} entries`);
        if (over.maxBytes) assert.ok(got.views.length > 2, `${context}: not split`);
        const recs = got.views.flatMap((v) => v.order.filter((o) => o.startsWith('{')));
        assert.strictEqual(recs.length, got.ops, context);
        records.push(recs);
      }
      for (const r of records.slice(1)) assert.deepStrictEqual(r, records[0], `from ${from}: the forms carry different entries`);
      sent.push(records[0].length);
    }
    assert.ok(sent[1] < sent[0], `from 20 sends less than from 0 (${sent.join(' / ')})`);
  });

  {
    it('fails naming the missing content, leaving no packet and no temporary file', async () => {
      const blobs = path.join(findVobTag(hostLayout(a.host.home), a.tag, a.host.name).dir, 'blobs');
      const loose = fs.readdirSync(blobs).filter((d) => /^[0-9a-f]{2}$/.test(d)).flatMap((d) => fs.readdirSync(path.join(blobs, d)).map((f) => path.join(blobs, d, f)));
      assert.ok(loose.length >= 3, `${loose.length} loose files`);
      const gone = loose.sort()[0];
      fs.rmSync(gone);
      const hash = path.basename(path.dirname(gone)) + path.basename(gone).replace(/\.d$/, '');
      for (const maxBytes of [undefined, 4000]) {
        const out = outDir();
        const e = await exportSync(a.host.ctx, { targets: [`${reps[1].name}@${a.tag}`], out, maxBytes }).then(
          () => undefined,
          (x: unknown) => x,
        );
        assert.ok(e instanceof BlobMissingError, String(e));
        assert.strictEqual(e.hash, hash);
        assert.deepStrictEqual(fs.readdirSync(out), []);
      }
    });
  }
});
