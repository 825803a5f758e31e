import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import {
  MAGIC,
  NotAPacketError,
  PacketError,
  PacketHeaderError,
  PacketIntegrityError,
  PacketSignatureError,
  UnknownSenderError,
  readPacketHeader,
  verifyPacket,
  writePacket,
  type HostKeyLookup,
} from '../../../src/engine/packet';
import { encodePrefix, PREFIX_BYTES, SIGNATURE_BYTES } from '../../../src/engine/packet/format';
import { craftPacket, headerFor, rejected, hostKeys, lookupOf, makeUnits, readBack, rng, sha256, tempDir, writeOptions, type HostKeys } from './packetFixtures';

function randomBytesOf(next: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
}

describe('packet integrity', () => {
  let dir: string;
  let keys: HostKeys;
  let lookup: HostKeyLookup;
  beforeEach(() => {
    dir = tempDir();
    keys = hostKeys('boston');
    lookup = lookupOf(keys);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function smallPacket(compress: boolean): Promise<{ file: string; bytes: Buffer; bodyStart: number }> {
    const [w] = await writePacket(writeOptions(dir, keys, { compress, fileName: 'small' }), makeUnits(4, { seed: 2, blobBytes: 300 }));
    const bytes = fs.readFileSync(w.path);
    const headerLength = bytes.readUInt32BE(MAGIC.length);
    return { file: w.path, bytes, bodyStart: PREFIX_BYTES + headerLength + SIGNATURE_BYTES };
  }

  for (const compress of [false, true]) {
    const mode = compress ? 'compressed' : 'plain';

    it(`rejects every truncation of a small ${mode} packet, through verify and through reading`, async () => {
      const { file, bytes } = await smallPacket(compress);
      await verifyPacket(file, lookup);
      const cut = path.join(dir, 'cut');
      for (let n = 0; n < bytes.length; n++) {
        fs.writeFileSync(cut, bytes.subarray(0, n));
        try {
          await rejected(verifyPacket(cut, lookup));
          await rejected(readBack(cut, lookup));
        } catch (e) {
          throw new Error(`truncation to ${n} of ${bytes.length} bytes: ${(e as Error).message}`);
        }
      }
    });

    it(`rejects byte flips anywhere in a ${mode} packet with the error of the part hit`, async () => {
      const seed = Number(process.env.PACKET_FLIP_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const next = rng(seed);
      const { bytes, bodyStart } = await smallPacket(compress);
      const bad = path.join(dir, 'flipped');
      const sigStart = bodyStart - SIGNATURE_BYTES;
      for (let i = 0; i < 300; i++) {
        // Every region gets its share: magic, length, header, signature, body.
        const pos = i < 12 ? i : Math.floor(next() * bytes.length);
        const copy = Buffer.from(bytes);
        copy[pos] ^= 1 + Math.floor(next() * 255);
        fs.writeFileSync(bad, copy);
        try {
          const e = await rejected(verifyPacket(bad, lookup));
          await rejected(readBack(bad, lookup));
          if (pos < MAGIC.length) assert.ok(e instanceof NotAPacketError, e.message);
          else if (pos >= bodyStart) assert.match(e.message, /body checksum does not match/);
          else if (pos >= sigStart) assert.ok(e instanceof PacketSignatureError, e.message);
          else assert.ok(
            e instanceof PacketHeaderError || e instanceof PacketSignatureError || e instanceof UnknownSenderError || e instanceof PacketIntegrityError,
            e.message,
          );
        } catch (e) {
          throw new Error(`seed ${seed} (replay with PACKET_FLIP_SEED=${seed}), flip ${i} at byte ${pos} of ${bytes.length}: ${(e as Error).message}`);
        }
      }
    });
  }

  it('names the unknown host that signed a packet', async () => {
    const stranger = hostKeys('stranger');
    const [w] = await writePacket(writeOptions(dir, stranger, { fileName: 'p' }), makeUnits(2));
    const e = await rejected(verifyPacket(w.path, lookup));
    assert.ok(e instanceof UnknownSenderError);
    assert.strictEqual(e.host, 'stranger');
    assert.match(e.message, /signed by host "stranger", which is not a known peer of this host/);
    await rejected(readBack(w.path, lookup));
  });

  it('rejects a packet that claims a known host but was signed with another key', async () => {
    const impostor = { ...hostKeys('boston') };
    const [w] = await writePacket(writeOptions(dir, impostor, { fileName: 'p' }), makeUnits(2));
    assert.ok((await rejected(verifyPacket(w.path, lookup))) instanceof PacketSignatureError);
  });

  it('rejects a tampered header even when the body is intact', async () => {
    const { file, bytes } = await smallPacket(false);
    const text = bytes.toString('latin1');
    const tampered = Buffer.from(text.replace('nightly update', 'nightly UPDATE'), 'latin1');
    assert.strictEqual(tampered.length, bytes.length);
    fs.writeFileSync(file, tampered);
    assert.strictEqual((await readPacketHeader(file)).comment, 'nightly UPDATE');
    const e = await rejected(verifyPacket(file, lookup));
    assert.ok(e instanceof PacketSignatureError, e.message);
    assert.match(e.message, /bad signature for host "boston"/);
    await rejected(readBack(file, lookup));
  });

  it('says a truncated packet is truncated and names bytes appended after the end', async () => {
    const { file, bytes } = await smallPacket(false);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    assert.match((await rejected(verifyPacket(file, lookup))).message, /truncated: \d+ bytes, the header says \d+/);
    fs.writeFileSync(file, Buffer.concat([bytes, Buffer.from('junk')]));
    assert.match((await rejected(verifyPacket(file, lookup))).message, /4 unexpected bytes follow the end of the packet/);
  });

  describe('a signed packet with a hostile body', () => {
    const R = (json: string | Buffer, declared?: number): Buffer => {
      const b = Buffer.isBuffer(json) ? json : Buffer.from(json);
      const head = Buffer.alloc(5);
      head[0] = 0x52;
      head.writeUInt32BE(declared ?? b.length, 1);
      return Buffer.concat([head, b]);
    };
    const B = (content: Buffer, opts: { size?: bigint; hash?: string } = {}): Buffer => {
      const head = Buffer.alloc(41);
      head[0] = 0x42;
      Buffer.from(opts.hash ?? sha256(content), 'hex').copy(head, 1);
      head.writeBigUInt64BE(opts.size ?? BigInt(content.length), 33);
      return Buffer.concat([head, content]);
    };
    const E = Buffer.from('E');
    const cases: { name: string; body: () => Buffer; records?: number; blobs?: number; gzip?: boolean; error: RegExp }[] = [
      { name: 'a record length of 4 GB', body: () => Buffer.concat([R('{}', 0xffffffff), E]), records: 1, error: /declares 4294967295 bytes, over the limit/ },
      { name: 'a record longer than the body', body: () => Buffer.concat([R('{"kind":"x"}', 1000)]), records: 1, error: /ends inside record 1/ },
      { name: 'a record that is not JSON', body: () => Buffer.concat([R('{kind:'), E]), records: 1, error: /record 1 is not valid JSON/ },
      { name: 'a record that is a list', body: () => Buffer.concat([R('[1,2]'), E]), records: 1, error: /record 1 is not an object with a "kind"/ },
      { name: 'a record with a negative oplog id', body: () => Buffer.concat([R('{"kind":"x","id":-3}'), E]), records: 1, error: /invalid oplog id/ },
      { name: 'a blob size of 2^63', body: () => Buffer.concat([B(Buffer.from('abc'), { size: 2n ** 63n }), E]), blobs: 1, error: /content blob 1 declares 9223372036854775808 bytes/ },
      { name: 'a blob size larger than the body', body: () => Buffer.concat([B(Buffer.from('abc'), { size: 1_000_000n }), E]), blobs: 1, error: /declares 1000000 bytes but the body has only/ },
      { name: 'a blob whose bytes do not match its hash', body: () => Buffer.concat([B(Buffer.from('abc'), { hash: sha256(Buffer.from('abd')) }), E]), blobs: 1, error: /content blob 1 does not match its hash/ },
      { name: 'an unknown frame type', body: () => Buffer.from('X'), error: /unknown frame type 0x58/ },
      { name: 'no end frame', body: () => R('{"kind":"x"}'), records: 1, error: /ends inside a frame/ },
      { name: 'fewer records than the header lists', body: () => Buffer.concat([R('{"kind":"x"}'), E]), records: 2, error: /has 1 records and 0 content blobs, its header lists 2 and 0/ },
      { name: 'more records than the header lists', body: () => Buffer.concat([R('{"kind":"x"}'), R('{"kind":"y"}'), E]), records: 1, error: /more records than the 1/ },
      { name: 'data after the end frame', body: () => Buffer.concat([E, Buffer.from('more')]), error: /data follows the end of the body/ },
      { name: 'a compressed body that is not gzip', body: () => Buffer.from('plainly not gzip'), gzip: true, error: /cannot be decompressed/ },
      {
        name: 'a compressed body that expands far past its end frame',
        body: () => zlib.gzipSync(Buffer.concat([E, Buffer.alloc(20 * 1024 * 1024)])),
        gzip: true,
        error: /data follows the end of the body/,
      },
    ];
    for (const c of cases) {
      it(`is rejected for ${c.name}`, async () => {
        const body = c.body();
        const file = path.join(dir, 'hostile');
        craftPacket(file, keys, { ...headerFor(keys, body, { records: c.records ?? 0, blobs: c.blobs ?? 0, compression: c.gzip ? 'gzip' : 'none' }) }, body);
        const before = process.memoryUsage().rss;
        const e = await rejected(verifyPacket(file, lookup));
        assert.ok(e instanceof PacketIntegrityError, e.message);
        assert.match(e.message, c.error);
        assert.match((await rejected(readBack(file, lookup))).message, c.error);
        assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'unbounded allocation');
      });
    }
  });

  it('reads signed bodies of random frames without a crash or a hang: each is accepted or refused with a packet error', async () => {
    const seed = Number(process.env.PACKET_BODY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const next = rng(seed);
    const file = path.join(dir, 'random-body');
    for (let i = 0; i < 200; i++) {
      // Plausible pieces in random order: frame types, lengths small and huge, JSON, junk.
      const parts: Buffer[] = [];
      for (let k = Math.floor(next() * 8); k > 0; k--) {
        const pick = Math.floor(next() * 6);
        const b = Buffer.alloc(5);
        if (pick === 0) parts.push(Buffer.from('R'), Buffer.from([0, 0, 0, Math.floor(next() * 40)]), Buffer.from('{"kind":"x","id":1}'));
        else if (pick === 1) parts.push(Buffer.from('B'), randomBytesOf(next, 32), Buffer.from([0, 0, 0, 0, 0, 0, 0, Math.floor(next() * 64)]));
        else if (pick === 2) parts.push(Buffer.from('E'));
        else if (pick === 3) (b.writeUInt32BE(Math.floor(next() * 2 ** 32), 1), parts.push(b));
        else parts.push(randomBytesOf(next, Math.floor(next() * 50)));
      }
      const raw = Buffer.concat(parts);
      const gzip = next() < 0.3;
      const body = gzip ? zlib.gzipSync(raw) : raw;
      craftPacket(file, keys, { ...headerFor(keys, body, { records: Math.floor(next() * 3), blobs: Math.floor(next() * 3), compression: gzip ? 'gzip' : 'none' }) }, body);
      try {
        await verifyPacket(file, lookup);
      } catch (e) {
        if (!(e instanceof PacketError)) throw new Error(`seed ${seed} (replay with PACKET_BODY_SEED=${seed}), case ${i}: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
  });

  describe('a header', () => {
    const body = Buffer.from('E');
    const withHeader = (mutate: (h: Record<string, unknown>) => void): string => {
      const file = path.join(dir, 'h');
      const h = headerFor(keys, body) as unknown as Record<string, unknown>;
      mutate(h);
      craftPacket(file, keys, h, body);
      return file;
    };
    const bodyOf = (h: Record<string, unknown>): Record<string, unknown> => h.body as Record<string, unknown>;
    const cases: { name: string; mutate: (h: Record<string, unknown>) => void; error: RegExp }[] = [
      { name: 'a negative body length', mutate: (h) => (bodyOf(h).length = -1), error: /field "body.length" must be at least 0/ },
      { name: 'a body length given as text', mutate: (h) => (bodyOf(h).length = '1'), error: /field "body.length" must be an integer/ },
      { name: 'a fractional sequence number', mutate: (h) => (h.sequence = 1.5), error: /field "sequence" must be an integer/ },
      { name: 'a fragment index past the count', mutate: (h) => (h.fragment = { index: 3, count: 2 }), error: /index 3 is greater than count 2/ },
      { name: 'targets that are not a list', mutate: (h) => (h.targets = { a: 1 }), error: /field "targets" must be a list/ },
      { name: 'a target without a name', mutate: (h) => (h.targets = [{ oid: 'x', host: 'h', vobTag: 't', incarnation: 0 }]), error: /field "targets\[0\].name" must be a string/ },
      { name: 'a range that ends before it starts', mutate: (h) => (h.ranges = [{ name: 'a', oid: 'b', firstOplogId: 9, lastOplogId: 2, incarnation: 0 }]), error: /ends \(2\) before it starts \(9\)/ },
      { name: 'an unknown kind', mutate: (h) => (h.kind = 'delete'), error: /field "kind" must be "update" or "creation"/ },
      { name: 'an unknown compression', mutate: (h) => (bodyOf(h).compression = 'zstd'), error: /field "body.compression"/ },
      { name: 'a malformed checksum', mutate: (h) => (bodyOf(h).sha256 = 'abc'), error: /field "body.sha256" must be 64/ },
      { name: 'a newer major version', mutate: (h) => (h.major = 2), error: /packet version 2.2 is not supported \(this host reads 1.x\)/ },
      { name: 'a sender row with text values', mutate: (h) => (h.senderRow = { a: 'many' }), error: /field "senderRow\["a"\]" must be an integer/ },
    ];
    for (const c of cases) {
      it(`with ${c.name} cannot be read`, async () => {
        const file = withHeader(c.mutate);
        const e = await rejected(readPacketHeader(file));
        assert.ok(e instanceof PacketHeaderError);
        assert.match(e.message, new RegExp(`^Cannot read header of packet ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
        assert.match(e.message, c.error);
        await rejected(verifyPacket(file, lookup));
      });
    }

    it('that is not JSON, or is a list, cannot be read', async () => {
      for (const text of ['{"major":', '[1,2,3]', 'null']) {
        const file = path.join(dir, 'j');
        const h = Buffer.from(text);
        fs.writeFileSync(file, Buffer.concat([encodePrefix(h.length), h, Buffer.alloc(64)]));
        assert.match((await rejected(readPacketHeader(file))).message, /not valid JSON|field "header" must be an object/);
      }
    });

    it('declaring 2 GB of header is refused without reading it', async () => {
      const file = path.join(dir, 'huge');
      fs.writeFileSync(file, Buffer.concat([encodePrefix(0x7fffffff), Buffer.from('{')]));
      assert.match((await rejected(readPacketHeader(file))).message, /declared header length 2147483647 is over the limit/);
    });
  });

  describe('a file that is no packet', () => {
    it('is named as not a sync. packet', async () => {
      const file = path.join(dir, 'notes.txt');
      fs.writeFileSync(file, 'hello world, this is text');
      const e = await rejected(readPacketHeader(file));
      assert.ok(e instanceof NotAPacketError);
      assert.strictEqual(e.message, `File ${file} is not a sync. packet.`);
    });

    it('reports an empty file, a directory and a missing file each in its own words', async () => {
      const empty = path.join(dir, 'empty');
      fs.writeFileSync(empty, '');
      assert.match((await rejected(readPacketHeader(empty))).message, /is not a sync. packet \(the file is empty\)/);
      assert.match((await rejected(readPacketHeader(dir))).message, /Cannot read header of packet .*: it is a directory/);
      assert.match((await rejected(readPacketHeader(path.join(dir, 'nope')))).message, /Cannot read header of packet .*: no such file/);
    });
  });
});
