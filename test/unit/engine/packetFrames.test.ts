import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import * as zlib from 'zlib';
import {
  PacketIntegrityError,
  PacketWriteError,
  readPacketEntries,
  verifyPacket,
  writePacket,
  type BlobSource,
  type HostKeyLookup,
  type PacketUnit,
} from '../../../src/engine/packet';
import { bodyHash } from '../../../src/engine/packet/bodyDigest';
import { deflateBound } from '../../../src/engine/packet/format';
import { craftMinor3, craftPacket, frameTypes, frames, headerFor, hostKeys, lookupOf, memBlob, readBack, readUntilError, rejected, sha256, tempDir, writeOptions, type HostKeys } from './packetFixtures';

const { R, B, D, Z, E } = frames;
const MB = 1024 * 1024;

/** Compressible text: numbered source lines. */
function text(n: number, tag: string): Buffer {
  const parts: string[] = [];
  for (let i = 0, len = 0; len < n; i++) {
    const l = `${tag} ${i}: x = ${(i * 31337) % 65521};\n`;
    parts.push(l);
    len += l.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

function record(kind: string, extra: Record<string, unknown> = {}): Buffer {
  return R(JSON.stringify({ kind, ...extra }));
}

/** The 'R' frames of records `first`..`first+n-1`, for 'Z' groups. */
function recordFrames(n: number, first = 1): Buffer {
  return Buffer.concat(Array.from({ length: n }, (_, i) => record('checkin', { origin: 'oid-boston', id: first + i, element: `src/f${first + i}.c` })));
}

describe('packet frames (minor 3)', () => {
  let dir: string;
  let keys: HostKeys;
  let lookup: HostKeyLookup;
  beforeEach(() => {
    dir = tempDir('mspktframes-');
    keys = hostKeys('boston');
    lookup = lookupOf(keys);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('a signed packet with a hostile deflated frame', () => {
    const content = text(10_000, 'c');
    const other = text(10_000, 'o');
    // 1 MB of zeros deflates to about a kilobyte: under deflateBound(1000), and a thousand times 1000 bytes once inflated.
    const bomb = zlib.deflateRawSync(Buffer.alloc(MB), { level: 9 });
    // Hex text deflates to about half: 150 KB give some 80 KB of deflated bytes.
    const hex = Buffer.from(Array.from({ length: 1200 }, (_, i) => crypto.createHash('sha512').update(String(i)).digest('hex')).join(''));
    // 38 MB of zeros in some 38 KB, announced as 40 000 bytes of content.
    const bigBomb = zlib.deflateRawSync(Buffer.alloc(38 * MB), { level: 9 });
    /** late: checked on the thread pool after the content is handed over (stored bytes of 32 KB and more). */
    const cases: { name: string; frame: () => Buffer; blobs?: number; records?: number; late?: boolean; error: RegExp }[] = [
      { name: "a 'D' frame inflating to more than its declared size", frame: () => D(content, { size: 5000n, hash: sha256(content.subarray(0, 5000)) }), blobs: 1, error: /content blob 1 is damaged: it inflates to more than 5000 bytes/ },
      { name: "a 'D' frame that is a zip bomb", frame: () => D(Buffer.alloc(1000), { bytes: bomb }), blobs: 1, error: /content blob 1 is damaged: it inflates to more than 1000 bytes/ },
      { name: "a 'D' frame inflating to fewer bytes than declared", frame: () => D(content, { size: 10_100n }), blobs: 1, error: /content blob 1 inflates to 10000 bytes, not 10100/ },
      { name: "a 'D' frame inflating to other content", frame: () => D(content, { hash: sha256(other) }), blobs: 1, error: /content blob 1 does not match its hash/ },
      {
        name: "a 'D' frame declaring more deflated bytes than deflate can make of its size",
        frame: () => D(content, { bytes: Buffer.concat([zlib.deflateRawSync(content), Buffer.alloc(deflateBound(content.length))]), stored: BigInt(deflateBound(content.length) + 1) }),
        blobs: 1,
        error: new RegExp(`content blob 1 declares ${deflateBound(content.length) + 1} deflated bytes for 10000 bytes of content`),
      },
      { name: "a 'D' frame of size 0", frame: () => D(Buffer.alloc(0)), blobs: 1, error: /content blob 1 declares \d+ deflated bytes for 0 bytes of content/ },
      { name: "a 'D' frame whose bytes are not deflate data", frame: () => D(content, { bytes: Buffer.alloc(64, 0xff) }), blobs: 1, error: /content blob 1 is damaged: it cannot be inflated/ },
      // Deflated bytes of 32 KB and more are checked on the thread pool rather than in place.
      { name: "a 'D' frame of 32 KB and more inflating to more than its declared size", frame: () => D(hex, { size: 100_000n, hash: sha256(hex.subarray(0, 100_000)) }), blobs: 1, late: true, error: /content blob 1 is damaged: it inflates to more than 100000 bytes/ },
      { name: "a 'D' frame of 32 KB and more that is a zip bomb", frame: () => D(Buffer.alloc(40_000), { bytes: bigBomb }), blobs: 1, late: true, error: /content blob 1 is damaged: it inflates to more than 40000 bytes/ },
      { name: "a 'D' frame of 32 KB and more inflating to fewer bytes than declared", frame: () => D(hex, { size: BigInt(hex.length + 1) }), blobs: 1, late: true, error: new RegExp(`content blob 1 inflates to ${hex.length} bytes, not ${hex.length + 1}`) },
      { name: "a 'D' frame of 32 KB and more inflating to other content", frame: () => D(hex, { hash: sha256(other) }), blobs: 1, late: true, error: /content blob 1 does not match its hash/ },
      { name: "a 'D' frame of 32 KB and more whose bytes are not deflate data", frame: () => D(hex, { bytes: Buffer.alloc(40_000, 0xff) }), blobs: 1, late: true, error: /content blob 1 is damaged: it cannot be inflated/ },
      // zlib stops at the end of the deflate data: what follows would be kept and forwarded unread.
      { name: "a 'D' frame with bytes after the end of its deflate data", frame: () => D(content, { bytes: Buffer.concat([zlib.deflateRawSync(content), Buffer.from('junk')]) }), blobs: 1, error: /content blob 1 is damaged: 4 bytes follow the end of its deflated data/ },
      { name: "a 'D' frame of 32 KB and more with bytes after the end of its deflate data", frame: () => D(hex, { bytes: Buffer.concat([zlib.deflateRawSync(hex), Buffer.alloc(100, 7)]) }), blobs: 1, late: true, error: /content blob 1 is damaged: 100 bytes follow the end of its deflated data/ },
      { name: "a 'Z' frame with bytes after the end of its deflate data", frame: () => Z(recordFrames(2), { bytes: Buffer.concat([zlib.deflateRawSync(recordFrames(2)), Buffer.from('xx')]) }), records: 2, error: /a group of records is damaged: 2 bytes follow the end of its deflated data/ },
      { name: "a 'Z' frame holding a content frame", frame: () => Z(Buffer.concat([record('x'), B(Buffer.from('abc'))])), records: 1, error: /a group of records holds something other than records/ },
      { name: "a 'Z' frame holding an end frame", frame: () => Z(Buffer.concat([record('x'), E])), records: 1, error: /a group of records holds something other than records/ },
      { name: "a 'Z' frame ending inside a record", frame: () => Z(Buffer.concat([record('x'), R('{"kind":"y"}', 500)])), records: 2, error: /a group of records ends inside a record/ },
      { name: "a 'Z' frame over the raw length limit", frame: () => Z(recordFrames(3), { raw: 4 * MB + 1 }), records: 3, error: /a group of records declares 4194305 bytes, over the limit of 4194304/ },
      { name: "a 'Z' frame inflating to more than declared", frame: () => Z(Buffer.concat(Array.from({ length: 200 }, () => record('x'))), { raw: 100 }), records: 200, error: /a group of records is damaged: it inflates to more than 100 bytes/ },
      { name: "a 'Z' frame inflating to fewer bytes than declared", frame: () => Z(recordFrames(3), { raw: recordFrames(3).length + 7 }), records: 3, error: /a group of records inflates to \d+ bytes, not \d+/ },
      {
        name: "a 'Z' frame declaring more deflated bytes than deflate can make of its records",
        frame: () => Z(recordFrames(2), { stored: deflateBound(recordFrames(2).length) + 1, bytes: Buffer.alloc(deflateBound(recordFrames(2).length) + 1) }),
        records: 2,
        error: /a group of records declares \d+ deflated bytes for \d+ bytes of records/,
      },
      { name: "a 'Z' frame whose bytes are not deflate data", frame: () => Z(recordFrames(2), { bytes: Buffer.alloc(32, 0xff) }), records: 2, error: /a group of records is damaged: it cannot be inflated/ },
    ];
    for (const c of cases) {
      const after = c.late ? 'before the end of the body' : 'and nothing after it is yielded';
      it(`is refused for ${c.name}, ${after}`, async () => {
        assert.ok(bomb.length <= deflateBound(1000), `bomb of ${bomb.length} bytes`);
        assert.ok(bigBomb.length >= 32 * 1024 && bigBomb.length <= deflateBound(40_000), `bomb of ${bigBomb.length} bytes`);
        assert.ok(zlib.deflateRawSync(hex).length >= 32 * 1024 && hex.length <= MB, `hex deflates to ${zlib.deflateRawSync(hex).length}`);
        // A good record before, a sentinel after: what comes after the bad frame must never reach the caller.
        const body = Buffer.concat([record('before'), c.frame(), record('after'), E]);
        const file = path.join(dir, 'hostile');
        craftMinor3(file, keys, body, { records: 2 + (c.records ?? 0), blobs: c.blobs ?? 0 });
        const before = process.memoryUsage().rss;
        const e = await rejected(verifyPacket(file, lookup));
        assert.ok(e instanceof PacketIntegrityError, e.message);
        assert.match(e.message, c.error);
        const seen = await readUntilError(file, lookup);
        assert.ok(seen.error instanceof PacketIntegrityError, String(seen.error));
        assert.match(seen.error.message, c.error);
        assert.strictEqual(seen.order[0], 'r:before');
        // Content checked late may let a few entries through first; the body never completes.
        if (!c.late) assert.ok(!seen.order.includes('r:after'), `yielded after the bad frame: ${seen.order.join(' ')}`);
        assert.ok(process.memoryUsage().rss - before < 200 * MB, 'unbounded allocation');
      });
    }
  });

  describe("a large (streamed) 'D' frame", () => {
    const big = text(3 * MB, 'big');
    const deflated = zlib.deflateRawSync(big);

    function packetWith(bytes: Buffer, over: { size?: bigint; hash?: string } = {}): string {
      const file = path.join(dir, 'large');
      craftMinor3(file, keys, Buffer.concat([record('before'), D(big, { bytes, ...over }), record('after'), E]), { records: 2, blobs: 1 });
      return file;
    }

    it('reads back whole, its stream giving the deflated bytes as they travelled', async () => {
      const file = packetWith(deflated);
      await verifyPacket(file, lookup);
      const got: Buffer[] = [];
      for await (const e of readPacketEntries(file, lookup)) {
        if (e.type !== 'blob') continue;
        assert.strictEqual(e.data, undefined);
        assert.deepStrictEqual(e.deflated, { bytes: deflated.length });
        for await (const c of e.stream as Readable) got.push(c as Buffer);
      }
      assert.deepStrictEqual(Buffer.concat(got), deflated);
      const back = await readBack(file, lookup);
      assert.deepStrictEqual(back.blobs.get(sha256(big)), big);
    });

    // Byte 100 ^ 0x01 makes the inflater itself fail (invalid distance) rather than the size or hash check.
    for (const flip of [{ at: 100, xor: 0x01 }, { at: 0.25, xor: 0x5a }, { at: 0.5, xor: 0x5a }, { at: 0.5, xor: 0xff }, { at: 0.9, xor: 0x01 }]) {
      const name = flip.at < 1 ? `${flip.at * 100}% into` : `byte ${flip.at} of`;
      it(`with one byte flipped (^0x${flip.xor.toString(16)}) at ${name} its deflated bytes is refused with a packet error, read through its stream and through verify`, async () => {
        const bad = Buffer.from(deflated);
        const at = flip.at < 1 ? Math.floor(bad.length * flip.at) : flip.at;
        bad[at] ^= flip.xor;
        const file = packetWith(bad);
        const e = await rejected(verifyPacket(file, lookup));
        assert.ok(e instanceof PacketIntegrityError, e.message);
        assert.match(e.message, /content blob 1/);
        const seen = await readUntilError(file, lookup);
        assert.ok(seen.error instanceof PacketIntegrityError, `read through the stream: ${seen.error instanceof Error ? `${seen.error.name}: ${seen.error.message}` : String(seen.error)}`);
        assert.match(seen.error.message, /content blob 1/);
        assert.ok(!seen.order.includes('r:after'), seen.order.join(' '));
        assert.ok(!seen.blobs.has(sha256(big)), 'damaged content was handed over complete');
      });
    }

    it('declaring fewer content bytes than it inflates to is refused before the excess is produced', async () => {
      const file = packetWith(deflated, { size: BigInt(2 * MB), hash: sha256(big.subarray(0, 2 * MB)) });
      for (const e of [await rejected(verifyPacket(file, lookup)), (await readUntilError(file, lookup)).error]) {
        assert.ok(e instanceof PacketIntegrityError, String(e));
        assert.match(e.message, /content blob 1 is damaged: it inflates to more than 2097152 bytes/);
      }
    });

    it('declaring more content bytes than it inflates to is refused', async () => {
      const file = packetWith(deflated, { size: BigInt(big.length + 1) });
      const e = await rejected(verifyPacket(file, lookup));
      assert.match(e.message, new RegExp(`content blob 1 inflates to ${big.length} bytes, not ${big.length + 1}`));
    });

    it('that is a zip bomb stops at its declared size', async () => {
      // 256 MB of zeros in about 250 KB, announced as 2 MB of content.
      const bomb = zlib.deflateRawSync(Buffer.alloc(256 * MB), { level: 9 });
      const file = path.join(dir, 'bomb');
      craftMinor3(file, keys, Buffer.concat([D(Buffer.alloc(2 * MB), { bytes: bomb }), record('after'), E]), { records: 1, blobs: 1 });
      const before = process.memoryUsage().rss;
      const e = await rejected(verifyPacket(file, lookup));
      assert.match(e.message, /content blob 1 is damaged: it inflates to more than 2097152 bytes/);
      const seen = await readUntilError(file, lookup);
      assert.ok(seen.error instanceof PacketIntegrityError, String(seen.error));
      assert.ok(!seen.order.includes('r:after'));
      assert.ok(process.memoryUsage().rss - before < 200 * MB, 'the bomb was inflated');
    });
  });

  it("reads a crafted packet of 'B', 'D', 'Z' and 'R' frames back as its records and content, in order", async () => {
    const raw = crypto.randomBytes(3000);
    const small = text(20_000, 'small');
    const large = text(2 * MB + 123, 'large');
    const smallBytes = zlib.deflateRawSync(small, { level: 9 });
    const body = Buffer.concat([
      B(raw),
      D(small, { bytes: smallBytes }),
      Z(recordFrames(50, 1)),
      R(JSON.stringify({ kind: 'checkin', origin: 'oid-boston', id: 51 })),
      D(large),
      Z(recordFrames(2, 52)),
      E,
    ]);
    const file = path.join(dir, 'good');
    craftMinor3(file, keys, body, { records: 53, blobs: 3, compression: 'frames' });
    await verifyPacket(file, lookup);
    const back = await readBack(file, lookup);
    assert.deepStrictEqual(
      back.records.map((e) => (e.type === 'record' ? e.record.id : -1)),
      Array.from({ length: 53 }, (_, i) => i + 1),
    );
    assert.strictEqual(back.order.filter((o) => o.startsWith('b:')).join(' '), [raw, small, large].map((c) => `b:${sha256(c)}`).join(' '));
    assert.deepStrictEqual(back.blobs.get(sha256(raw)), raw);
    assert.deepStrictEqual(back.blobs.get(sha256(small)), small);
    assert.deepStrictEqual(back.blobs.get(sha256(large)), large);
    // Small deflated content comes whole, as the bytes that travelled.
    for await (const e of readPacketEntries(file, lookup)) {
      if (e.type === 'blob' && e.hash === sha256(small)) {
        assert.deepStrictEqual(e.deflated, { bytes: smallBytes.length });
        assert.deepStrictEqual(e.data, smallBytes);
      }
      if (e.type === 'blob' && e.hash === sha256(raw)) {
        assert.strictEqual(e.deflated, undefined);
        assert.deepStrictEqual(e.data, raw);
      }
      if (e.type === 'blob' && e.stream) e.stream.resume();
    }
  });

  it('still reads a minor 2 packet whose whole body is gzipped, small and streamed content alike', async () => {
    const small = text(5000, 'old-small');
    const large = crypto.randomBytes(2 * MB);
    const frameStream = Buffer.concat([B(small), record('checkin', { origin: 'oid-boston', id: 1 }), B(large), record('checkin', { origin: 'oid-boston', id: 2 }), E]);
    const body = zlib.gzipSync(frameStream);
    const file = path.join(dir, 'minor2');
    craftPacket(file, keys, { ...headerFor(keys, body, { compression: 'gzip', records: 2, blobs: 2 }) }, body);
    assert.strictEqual(headerFor(keys, body).minor, 2);
    await verifyPacket(file, lookup);
    const back = await readBack(file, lookup);
    assert.deepStrictEqual(back.records.map((e) => (e.type === 'record' ? e.record.id : 0)), [1, 2]);
    assert.ok(back.blobs.get(sha256(small))?.equals(small));
    assert.ok(back.blobs.get(sha256(large))?.equals(large));
  });

  describe('body digest', () => {
    // 64 MB declared: hashed on a worker thread; 1 KB: in place. The digest must not depend on which.
    for (const declared of [64 * MB, 1024]) {
      it(`gives the sha256 of what it was fed, however it is cut (${declared >= MB ? 'worker thread' : 'in place'})`, async () => {
        const data = crypto.randomBytes(9 * MB + 12345);
        const cuts: number[][] = [[data.length], [1, MB - 1, 1, 5 * MB, data.length - 6 * MB - 1], Array.from({ length: 40 }, () => Math.ceil(data.length / 40))];
        for (const sizes of cuts) {
          const h = bodyHash(declared);
          let at = 0;
          for (const n of sizes) {
            const piece = Buffer.from(data.subarray(at, Math.min(data.length, at + n)));
            h.update(piece);
            // The caller may reuse its buffer at once.
            piece.fill(0);
            at += n;
          }
          h.update(Buffer.alloc(0));
          assert.strictEqual(await h.digest(), sha256(data), `cut as ${sizes.length} pieces`);
          h.close();
          h.close();
        }
        const empty = bodyHash(declared);
        assert.strictEqual(await empty.digest(), sha256(Buffer.alloc(0)));
      });
    }
  });

  describe('writePacket', () => {
    const origin = 'oid-boston';
    function units(blobs: BlobSource[], records = 40): PacketUnit[] {
      const out: PacketUnit[] = blobs.map((b, i) => ({ records: [{ kind: 'checkin', origin, id: i + 1, element: `src/b${i}.c`, blob: b.hash }], blobs: [b] }));
      for (let i = 0; i < records; i++) out.push({ records: [{ kind: 'label', origin, id: blobs.length + i + 1, element: `src/b${i}.c`, label: `REL_${i}` }], blobs: [] });
      return out;
    }
    /** Content as a store keeping it deflated would offer it: trusted, its deflated bytes streamed or read in place. */
    function storedDeflated(content: Buffer, positional: boolean, trusted = true): { source: BlobSource; bytes: Buffer } {
      const bytes = zlib.deflateRawSync(content, { level: 1 });
      const source: BlobSource = { hash: sha256(content), size: content.length, deflated: { bytes: bytes.length }, open: () => Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]), trusted };
      if (positional) source.readSync = (buf, offset, length, position) => bytes.copy(buf, offset, position, Math.min(bytes.length, position + length));
      return { source, bytes };
    }

    for (const compress of [false, true]) {
      it(`${compress ? '-compress' : 'plain'}: copies content kept deflated as it is stored and reads back every record and content`, async () => {
        const kept = [storedDeflated(text(40_000, 'kept-a'), false), storedDeflated(text(3 * MB, 'kept-b'), true)];
        const rawText = text(30_000, 'raw-text');
        const bigText = text(2 * MB, 'raw-big');
        const noise = crypto.randomBytes(5000);
        const sources = [...kept.map((k) => k.source), memBlob(rawText), memBlob(bigText), memBlob(noise)];
        const [w] = await writePacket(writeOptions(dir, keys, { compress, fileName: compress ? 'z' : 'p' }), units(sources));
        assert.strictEqual(w.header.minor, 3);
        assert.strictEqual(w.header.body.compression, compress ? 'frames' : 'none');
        const types = frameTypes(w.path);
        // Kept content travels deflated either way; -compress deflates raw text too and groups the records.
        // (Grouped records follow the content of the units they gather.)
        assert.strictEqual(types, compress ? 'DDDDBZE' : `DRDRBRBRBR${'R'.repeat(40)}E`);
        await verifyPacket(w.path, lookup);
        const back = await readBack(w.path, lookup);
        assert.strictEqual(back.records.length, 45);
        assert.deepStrictEqual(back.records.map((e) => (e.type === 'record' ? e.record.id : 0)), Array.from({ length: 45 }, (_, i) => i + 1));
        for (const [content] of [[text(40_000, 'kept-a')], [text(3 * MB, 'kept-b')], [rawText], [bigText], [noise]]) {
          assert.ok(back.blobs.get(sha256(content))?.equals(content), `content ${sha256(content).slice(0, 8)} did not come back`);
        }
        // The kept bytes themselves travel, unchanged.
        for await (const e of readPacketEntries(w.path, lookup)) {
          if (e.type !== 'blob') continue;
          const k = kept.find((x) => x.source.hash === e.hash);
          let bytes: Buffer;
          if (e.data) bytes = e.data;
          else {
            const parts: Buffer[] = [];
            for await (const c of e.stream as Readable) parts.push(c as Buffer);
            bytes = Buffer.concat(parts);
          }
          if (k) assert.ok(bytes.equals(k.bytes), `kept content ${e.hash.slice(0, 8)} was re-encoded`);
          if (e.hash === sha256(noise)) assert.strictEqual(e.deflated, undefined);
        }
      });
    }

    it('refuses a deflated source that is not trusted, and leaves no file behind', async () => {
      const { source } = storedDeflated(text(40_000, 'untrusted'), false, false);
      for (const compress of [false, true]) {
        const e = await rejected(writePacket(writeOptions(dir, keys, { compress, fileName: 'u' }), units([source], 2)));
        assert.ok(e instanceof PacketWriteError, e.message);
        assert.match(e.message, new RegExp(`content ${source.hash} is deflated but was not checked against its hash`));
        assert.deepStrictEqual(fs.readdirSync(dir), []);
      }
    });

    it('refuses a trusted deflated source that gives fewer or more bytes than it announced, and leaves no file behind', async () => {
      // (A positional source reads exactly the bytes announced: bytes beyond them are never seen, nor sent.)
      for (const [delta, positional] of [[-1, false], [1, false], [-1, true]] as const) {
        const { source, bytes } = storedDeflated(text(3 * MB, `short${delta}`), positional);
        const wrong = delta < 0 ? bytes.subarray(0, bytes.length - 1) : Buffer.concat([bytes, Buffer.from('x')]);
        source.open = () => Readable.from([wrong]);
        if (positional) source.readSync = (buf, offset, length, position) => wrong.copy(buf, offset, position, Math.min(wrong.length, position + length));
        const e = await rejected(writePacket(writeOptions(dir, keys, { fileName: 'w' }), units([source], 1)));
        assert.ok(e instanceof PacketWriteError, e.message);
        assert.match(e.message, new RegExp(`content ${source.hash} changed while it was being exported \\(expected ${bytes.length} bytes`));
        assert.deepStrictEqual(fs.readdirSync(dir), []);
      }
    });

    it('writes and verifies a body of over 32 MB (hashed on a worker thread); one flipped body byte is refused by its checksum', async () => {
      const content = Buffer.alloc(33 * MB);
      crypto.randomFillSync(content, 0, MB);
      content.fill(content.subarray(0, MB), MB);
      const [w] = await writePacket(writeOptions(dir, keys, { fileName: 'big' }), [{ records: [{ kind: 'checkin', origin, id: 1, blob: sha256(content) }], blobs: [memBlob(content, 300_000)] }]);
      assert.ok(w.header.body.length >= 32 * MB);
      await verifyPacket(w.path, lookup);
      assert.ok((await readBack(w.path, lookup)).blobs.get(sha256(content))?.equals(content));
      const good = fs.readFileSync(w.path);
      const bodyStart = good.length - w.header.body.length;
      const bad = path.join(dir, 'flipped');
      for (const at of [bodyStart + 100, bodyStart + Math.floor(w.header.body.length / 2), good.length - 1]) {
        const copy = Buffer.from(good);
        copy[at] ^= 0x01;
        fs.writeFileSync(bad, copy);
        const e = await rejected(verifyPacket(bad, lookup));
        assert.ok(e instanceof PacketIntegrityError, e.message);
        assert.match(e.message, /its body checksum does not match its header/, `flip at ${at}`);
        // Read through its stream, the content's own check may speak first: still a damaged packet.
        const seen = await readUntilError(bad, lookup);
        assert.ok(seen.error instanceof PacketIntegrityError, String(seen.error));
        assert.match(seen.error.message, /its body checksum does not match its header|content blob 1 does not match its hash/);
      }
    });
  });
});
