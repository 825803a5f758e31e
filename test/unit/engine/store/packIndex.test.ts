import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { BlobStore } from '../../../../src/engine/store/blobStore';
import { encodePackIndex, hashWords, listPackIndex, parsePackIndex, type PackIndexEntry, type PackLookup } from '../../../../src/engine/store/packIndex';
import { prng } from '../../../support/prng';
import { errorLine, multitool, replicatedHosts, succeed, tempRoot } from '../../cli/cliSupport';

/** The binary pack index: sorted hashes with a fan-out table, looked up by binary search. */

function randomEntries(seed: number, n: number): PackIndexEntry[] {
  const next = prng(seed);
  const out: PackIndexEntry[] = [];
  for (let i = 0; i < n; i++) {
    const hash = crypto.createHash('sha256').update(`${seed} ${i}`).digest('hex');
    const size = Math.floor(next() * 2 ** 40);
    out.push(next() < 0.5 ? { hash, offset: Math.floor(next() * 2 ** 47), size } : { hash, offset: Math.floor(next() * 2 ** 47), size: size + 1, deflated: 1 + Math.floor(next() * 2 ** 30) });
  }
  return out;
}

function lookup(index: PackLookup, hash: string): ReturnType<PackLookup['find']> {
  const words = new Uint32Array(8);
  return hashWords(hash, words) ? index.find(hash, words) : undefined;
}

describe('pack index', () => {
  it('finds every entry it was written with, at the edges of the hash space too, and nothing else', () => {
    const entries = randomEntries(7, 3000);
    entries.push({ hash: '0'.repeat(64), offset: 1, size: 2 }, { hash: 'f'.repeat(64), offset: 2 ** 48 - 1, size: 2 ** 48 - 1, deflated: 2 ** 48 - 1 });
    const index = parsePackIndex(encodePackIndex(entries));
    assert.ok(index);
    for (const e of entries) assert.deepStrictEqual(lookup(index, e.hash), e.deflated === undefined ? { offset: e.offset, size: e.size } : { offset: e.offset, size: e.size, deflated: e.deflated });
    for (const e of randomEntries(8, 3000)) assert.strictEqual(lookup(index, e.hash), undefined);
    assert.deepStrictEqual(
      listPackIndex(encodePackIndex(entries)).map((e) => e.hash),
      entries.map((e) => e.hash).sort(),
    );
  });

  it('is empty for a pack of no entries, and finds nothing in it', () => {
    const index = parsePackIndex(encodePackIndex([]));
    assert.ok(index);
    assert.strictEqual(lookup(index, 'a'.repeat(64)), undefined);
  });

  it('takes only 64 lower-case hex characters as a hash', () => {
    const words = new Uint32Array(8);
    for (const bad of ['', 'a'.repeat(63), 'a'.repeat(65), 'A'.repeat(64), `${'a'.repeat(63)}g`, `${'a'.repeat(63)}\u00e9`, `${'a'.repeat(63)} `]) assert.strictEqual(hashWords(bad, words), false, JSON.stringify(bad));
    assert.ok(hashWords(`0123456789abcdef${'0'.repeat(48)}`, words));
    assert.strictEqual(words[0], 0x01234567);
    assert.strictEqual(words[1], 0x89abcdef);
  });

  it('refuses to write an entry it could not read back', () => {
    assert.throws(() => encodePackIndex([{ hash: 'A'.repeat(64), offset: 0, size: 1 }]), /not a content hash/);
    assert.throws(() => encodePackIndex([{ hash: 'a'.repeat(64), offset: 2 ** 48, size: 1 }]), RangeError);
    assert.throws(() => encodePackIndex([{ hash: 'a'.repeat(64), offset: 0, size: -1 }]), RangeError);
    assert.throws(() => encodePackIndex([{ hash: 'a'.repeat(64), offset: 0.5, size: 1 }]), RangeError);
    assert.throws(() => encodePackIndex([{ hash: 'a'.repeat(64), offset: 0, size: 10, deflated: 0 }]), /0 deflated bytes/);
  });

  it('finds nothing in an index cut short anywhere or with any byte changed', () => {
    const entries = randomEntries(9, 12);
    const good = encodePackIndex(entries);
    const damaged: Buffer[] = [];
    for (let n = 0; n < good.length; n++) damaged.push(good.subarray(0, n));
    for (let i = 0; i < good.length; i++) {
      const flipped = Buffer.from(good);
      flipped[i] ^= 1 << i % 8;
      damaged.push(flipped);
    }
    damaged.push(Buffer.concat([good, Buffer.from([0])]));
    for (const bytes of damaged) {
      const index = parsePackIndex(bytes);
      if (index) for (const e of entries) assert.strictEqual(lookup(index, e.hash), undefined, `a damaged index of ${bytes.length} bytes gave an entry`);
    }
  });
});

describe('pack index in the content store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packindex-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function pack(store: BlobStore, tag: string, n = 20): Promise<string[]> {
    const batch = store.batch();
    const hashes: string[] = [];
    for (let i = 0; i < n; i++) hashes.push((await batch.put(Readable.from([Buffer.from(`${tag} ${i}`)]))).hash);
    await batch.commit();
    return hashes;
  }

  it('writes each pack index in the binary format, and reads content from many packs in any order', async () => {
    const store = new BlobStore(dir);
    const all: string[] = [];
    for (let p = 0; p < 6; p++) all.push(...(await pack(store, `pack ${p}`)));
    store.close();
    const idx = fs.readdirSync(store.packDir).filter((n) => n.endsWith('.idx'));
    assert.strictEqual(idx.length, 6);
    for (const n of idx) assert.strictEqual(fs.readFileSync(path.join(store.packDir, n)).subarray(0, 8).toString('latin1'), 'MSPACKIX');
    const fresh = new BlobStore(dir);
    const order = [...all].sort();
    for (const h of [...order, ...order.reverse()]) assert.ok(fresh.packed(h), h);
    assert.strictEqual(fresh.packed('e'.repeat(64)), undefined);
    assert.strictEqual(fresh.has('E'.repeat(64)), false);
    fresh.close();
  });

  it('reads a store with text and binary indexes side by side (an older store written to again)', async () => {
    const store = new BlobStore(dir);
    const older = await pack(store, 'older');
    const newer = await pack(store, 'newer');
    store.close();
    const [first] = fs.readdirSync(store.packDir).filter((n) => n.endsWith('.idx'));
    const file = path.join(store.packDir, first);
    const entries = listPackIndex(fs.readFileSync(file));
    fs.writeFileSync(file, entries.map((e) => `${e.hash} ${e.offset} ${e.size}${e.deflated !== undefined ? ` d ${e.deflated}` : ''}\n`).join(''));
    const fresh = new BlobStore(dir);
    for (const h of [...older, ...newer, ...older.reverse()]) assert.ok(fresh.has(h), h);
    assert.deepStrictEqual(fresh.unreadableIndexes, []);
    fresh.close();
  });

  it('reads packed content in order, out of order and across packs exactly as stored (read-ahead)', async () => {
    const store = new BlobStore(dir);
    const next = prng(11);
    const contents = new Map<string, Buffer>();
    for (let p = 0; p < 2; p++) {
      const batch = store.batch();
      for (let i = 0; i < 120; i++) {
        // Sizes around the read-ahead limits (16 KB pieces, 256 KB ahead): tiny, a few KB, just under and over 16 KB, larger than what is read ahead, and 1 MB-sized.
        const size = [3, 700, 5000, 16383, 16385, 65537, 200_000, 260_000, 3, 700, 5000, 1_100_000][Math.floor(next() * 12)];
        const c = crypto.randomBytes(size);
        const ref = await batch.put(Readable.from([c]));
        contents.set(ref.hash, c);
      }
      await batch.commit();
    }
    store.close();
    const hashes = [...contents.keys()];
    const orders = [hashes, [...hashes].reverse(), hashes.filter((_, i) => i % 3 !== 1), [...hashes].sort()];
    for (const order of orders) {
      const fresh = new BlobStore(dir);
      for (const h of order) {
        const p = fresh.packed(h);
        assert.ok(p);
        const want = contents.get(h) as Buffer;
        const got = Buffer.alloc(want.length);
        // Pieces of uneven sizes, as a writer filling blocks asks for them.
        for (let done = 0; done < want.length; ) {
          const ask = Math.min(want.length - done, 1 + Math.floor(next() * 90_000));
          const n = fresh.readPacked(p, got, done, ask, done);
          assert.ok(n > 0 && n <= ask);
          done += n;
        }
        assert.ok(got.equals(want), `content ${h} read back differs`);
      }
      fresh.close();
    }
  });

  it('hides only the content of a pack whose index is damaged', async () => {
    const store = new BlobStore(dir);
    const first = await pack(store, 'first');
    const second = await pack(store, 'second');
    store.close();
    const idxOf = (h: string): string => {
      for (const n of fs.readdirSync(store.packDir).filter((f) => f.endsWith('.idx'))) {
        const file = path.join(store.packDir, n);
        if (listPackIndex(fs.readFileSync(file)).some((e) => e.hash === h)) return file;
      }
      throw new Error(`no index holds ${h}`);
    };
    const file = idxOf(first[0]);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 30] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const fresh = new BlobStore(dir);
    for (const h of first) assert.strictEqual(fresh.has(h), false);
    for (const h of second) assert.ok(fresh.has(h));
    assert.deepStrictEqual(fresh.unreadableIndexes, [file]);
    fresh.close();
  });

  it('names a damaged pack index when an export finds content missing', async () => {
    const root = tempRoot('packindex-cli-');
    try {
      const [a] = await replicatedHosts(root);
      fs.mkdirSync(path.join(root, 'src'));
      for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(root, 'src', `f${i}.txt`), `file ${i}\n`.repeat(i + 1));
      await succeed(a, root, 'fsimport', '-invob', '/vobs/dev', path.join(root, 'src'));
      const idx: string[] = [];
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(d, e.name));
          else if (e.name.endsWith('.idx')) idx.push(path.join(d, e.name));
        }
      };
      walk(path.join(a, 'vobs'));
      assert.strictEqual(idx.length, 1);
      const bytes = fs.readFileSync(idx[0]);
      bytes.writeUInt32BE(9, 8);
      fs.writeFileSync(idx[0], bytes);
      fs.mkdirSync(path.join(root, 'out'));
      const r = await multitool(a, root, 'syncreplica', '-export', '-out', 'out', 'sanfran_hub@/vobs/dev');
      assert.strictEqual(r.status, 1);
      assert.match(errorLine(r), /is missing from replica "boston_hub" \(the pack index .*\.idx is damaged or was written by a newer version\)/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
