import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import * as zlib from 'zlib';
import { BlobStore, type BlobBatch } from '../../../../src/engine/store/blobStore';
import { listPackIndex, type PackIndexEntry } from '../../../../src/engine/store/packIndex';
import { prng } from '../../../support/prng';
import { errorLine, multitool, replicatedHosts, succeed, tempRoot } from '../../cli/cliSupport';

/** The content store keeps content raw-deflated in packs when that pays, and as it is otherwise. */

function sha(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

async function drain(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(parts);
}

/** Source text that deflates well but not trivially: numbered lines. */
function text(n: number, tag: string): Buffer {
  const lines: string[] = [];
  for (let i = 0, len = 0; len < n; i++) {
    const l = `${tag}: int value_${i} = ${(i * 7919) % 10007}; /* line ${i} */\n`;
    lines.push(l);
    len += l.length;
  }
  return Buffer.from(lines.join('')).subarray(0, n);
}

function random(seed: number, n: number): Buffer {
  const next = prng(seed);
  const b = Buffer.allocUnsafe(n + 3);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE(Math.floor(next() * 2 ** 32) >>> 0, i);
  return b.subarray(0, n);
}

async function* chunks(b: Buffer, n = 65536): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

/** An index entry as a line of the older text index: `<hash> <offset> <size>[ d <bytes>]`. */
function textLine(e: PackIndexEntry): string {
  return `${e.hash} ${e.offset} ${e.size}${e.deflated !== undefined ? ` d ${e.deflated}` : ''}`;
}

/** Index entries of every pack, as text lines, by hash. */
function indexLines(store: BlobStore): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of fs.readdirSync(store.packDir).filter((f) => f.endsWith('.idx'))) {
    for (const e of listPackIndex(fs.readFileSync(path.join(store.packDir, n)))) out.set(e.hash, textLine(e));
  }
  return out;
}

/** Enough small distinct entries to make any batch a pack (16 or more entries). */
async function fill(batch: BlobBatch, count = 16): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const b = Buffer.from(`filler ${i} ${crypto.randomUUID()}`);
    await batch.put(Readable.from([b]));
    out.push(b);
  }
  return out;
}

describe('deflated content store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msdeflate-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps compressible content deflated in a pack and gives it back inflated, its stored bytes deflated', async () => {
    const store = new BlobStore(dir);
    const content = text(40_000, 'a');
    const batch = store.batch();
    const ref = await batch.put(Readable.from([content]));
    await fill(batch);
    await batch.commit();
    assert.deepStrictEqual(ref, { hash: sha(content), size: content.length });

    const line = indexLines(store).get(ref.hash);
    assert.ok(line, 'no index line');
    const m = / (\d+) (\d+) d (\d+)$/.exec(line);
    assert.ok(m, `index line is not deflated: ${line}`);
    assert.strictEqual(Number(m[2]), content.length);

    const st = store.packed(ref.hash);
    assert.ok(st);
    assert.strictEqual(st.size, content.length);
    assert.strictEqual(st.deflated, Number(m[3]));
    assert.ok(st.deflated !== undefined && st.deflated <= content.length - (content.length >> 3), `kept ${st.deflated} bytes for ${content.length}`);
    const onDisk = Buffer.alloc(st.deflated);
    assert.strictEqual(store.readPacked(st, onDisk, 0, onDisk.length, 0), onDisk.length);
    assert.deepStrictEqual(zlib.inflateRawSync(onDisk), content);
    assert.throws(() => store.readPacked(st, Buffer.alloc(2), 0, 2, onDisk.length - 1), RangeError);

    const streamed = await drain(store.openStored(ref.hash));
    assert.deepStrictEqual(streamed, onDisk);
    assert.deepStrictEqual(await drain(store.open(ref.hash)), content);

    // A fresh store reads the same from the index on disk.
    store.close();
    const again = new BlobStore(dir);
    assert.deepStrictEqual(await drain(again.open(ref.hash)), content);
    assert.ok(again.has(ref.hash, content.length));
    assert.strictEqual(again.packed(ref.hash)?.deflated, st.deflated);
    again.close();
  });

  it('keeps incompressible content and content under 256 bytes as it is', async () => {
    const store = new BlobStore(dir);
    const noise = random(7, 20_000);
    const tiny = Buffer.from('a'.repeat(200));
    const batch = store.batch();
    const r1 = await batch.put(Readable.from([noise]));
    const r2 = await batch.put(Readable.from([tiny]));
    await fill(batch);
    await batch.commit();
    for (const [ref, content] of [[r1, noise], [r2, tiny]] as const) {
      const line = indexLines(store).get(ref.hash);
      assert.match(line ?? '', new RegExp(`^${ref.hash} \\d+ ${content.length}$`));
      const st = store.packed(ref.hash);
      assert.strictEqual(st?.deflated, undefined);
      assert.deepStrictEqual(await drain(store.openStored(ref.hash)), content);
      assert.deepStrictEqual(await drain(store.open(ref.hash)), content);
    }
    store.close();
  });

  it('streams 3 MB of text in deflated and 3 MB of random bytes in as they are, and gives both back', async () => {
    const store = new BlobStore(dir);
    const big = text(3 * 1024 * 1024, 'big');
    const noise = random(11, 3 * 1024 * 1024);
    const batch = store.batch();
    const rt = await batch.put(chunks(big));
    const rn = await batch.put(Readable.from(chunks(noise)));
    await fill(batch);
    await batch.commit();
    assert.deepStrictEqual(rt, { hash: sha(big), size: big.length });
    assert.deepStrictEqual(rn, { hash: sha(noise), size: noise.length });

    const lines = indexLines(store);
    assert.match(lines.get(rt.hash) ?? '', new RegExp(` ${big.length} d \\d+$`));
    assert.match(lines.get(rn.hash) ?? '', new RegExp(` ${noise.length}$`));
    const st = store.packed(rt.hash);
    assert.ok(st?.deflated !== undefined && st.deflated < big.length / 2, `text kept as ${String(st?.deflated)} bytes`);
    assert.deepStrictEqual(zlib.inflateRawSync(await drain(store.openStored(rt.hash))), big);
    assert.strictEqual(sha(await drain(store.open(rt.hash))), rt.hash);
    assert.strictEqual(store.packed(rn.hash)?.deflated, undefined);
    assert.strictEqual(sha(await drain(store.open(rn.hash))), rn.hash);
    store.close();
  });

  it('writes a small batch as loose files, compressible content raw-deflated (.d) and the rest as it is', async () => {
    const store = new BlobStore(dir);
    const contents = [text(5000, 'x'), text(70_000, 'y'), text(3 * 1024 * 1024 + 17, 'z'), random(5, 4000), Buffer.from('tiny')];
    const batch = store.batch();
    const refs = [];
    for (const c of contents) refs.push(await batch.put(chunks(c)));
    await batch.commit();
    assert.ok(!fs.existsSync(store.packDir) || fs.readdirSync(store.packDir).length === 0, 'a pack was left for a small batch');
    const fresh = new BlobStore(dir);
    for (let i = 0; i < contents.length; i++) {
      const raw = store.loosePath(refs[i].hash);
      const compressible = i < 3;
      assert.strictEqual(fs.existsSync(`${raw}.d`), compressible);
      assert.strictEqual(fs.existsSync(raw), !compressible);
      const stored = fs.readFileSync(compressible ? `${raw}.d` : raw);
      assert.deepStrictEqual(compressible ? zlib.inflateRawSync(stored) : stored, contents[i]);
      assert.strictEqual(fresh.packed(refs[i].hash), undefined);
      assert.ok(fresh.has(refs[i].hash, contents[i].length));
      assert.deepStrictEqual(await drain(fresh.open(refs[i].hash)), contents[i]);
      assert.deepStrictEqual(await drain(fresh.openStored(refs[i].hash)), stored);
      const loose = fresh.loose(refs[i].hash, contents[i].length);
      assert.deepStrictEqual(loose && { size: loose.size, deflated: loose.deflated }, { size: contents[i].length, deflated: compressible ? stored.length : undefined });
    }
    fresh.close();
    store.close();
  });

  it('keeps bytes given to putStored exactly as they travelled, and a reopened store reads them', async () => {
    const store = new BlobStore(dir);
    const a = text(30_000, 'stored-a');
    const b = text(2 * 1024 * 1024, 'stored-b');
    const raw = random(3, 5000);
    // Level 9, not the store's level 1: the bytes kept must be these, not a re-deflation.
    const da = zlib.deflateRawSync(a, { level: 9 });
    const db = zlib.deflateRawSync(b, { level: 9 });
    const batch = store.batch();
    await batch.putStored({ hash: sha(a), size: a.length, deflated: { bytes: da.length } }, da);
    await batch.putStored({ hash: sha(b), size: b.length, deflated: { bytes: db.length } }, chunks(db, 1000));
    await batch.putStored({ hash: sha(raw), size: raw.length }, chunks(raw, 999));
    await fill(batch);
    await batch.commit();
    store.close();

    const again = new BlobStore(dir);
    for (const [content, kept] of [[a, da], [b, db], [raw, raw]] as const) {
      const st = again.packed(sha(content));
      assert.ok(st);
      assert.strictEqual(st.size, content.length);
      assert.strictEqual(st.deflated, kept === raw ? undefined : kept.length);
      assert.deepStrictEqual(await drain(again.openStored(sha(content))), kept);
      assert.deepStrictEqual(await drain(again.open(sha(content))), content);
    }
    again.close();
  });

  it('keeps deflated putStored content as it travelled in a loose file when the batch is small', async () => {
    const store = new BlobStore(dir);
    const a = text(30_000, 'loose-stored');
    const da = zlib.deflateRawSync(a);
    const batch = store.batch();
    await batch.putStored({ hash: sha(a), size: a.length, deflated: { bytes: da.length } }, da);
    await batch.commit();
    assert.deepStrictEqual(fs.readFileSync(`${store.loosePath(sha(a))}.d`), da);
    assert.ok(!fs.existsSync(store.loosePath(sha(a))));
    assert.ok(store.has(sha(a), a.length));
    assert.deepStrictEqual(await drain(store.open(sha(a))), a);
  });

  it('refuses putStored bytes of the wrong count and keeps nothing of them', async () => {
    for (const streamed of [false, true]) {
      const sub = fs.mkdtempSync(path.join(dir, 's'));
      const store = new BlobStore(sub);
      const a = text(30_000, `wrong-${String(streamed)}`);
      const da = zlib.deflateRawSync(a);
      const give = (b: Buffer): Buffer | AsyncIterable<Buffer> => (streamed ? chunks(b, 4096) : b);
      const batch = store.batch();
      // Too few deflated bytes, too many, and raw content one byte short.
      await assert.rejects(batch.putStored({ hash: sha(a), size: a.length, deflated: { bytes: da.length + 1 } }, give(da)), /brought \d+ bytes where \d+ were announced/);
      await assert.rejects(batch.putStored({ hash: sha(a), size: a.length, deflated: { bytes: da.length - 1 } }, give(da)), /brought \d+ bytes where \d+ were announced/);
      await assert.rejects(batch.putStored({ hash: sha(a), size: a.length }, give(a.subarray(1))), /brought \d+ bytes where \d+ were announced/);
      assert.strictEqual(batch.pending, 0);
      await batch.commit();
      assert.ok(!store.has(sha(a)));
      const left = fs.existsSync(store.packDir) ? fs.readdirSync(store.packDir) : [];
      assert.deepStrictEqual(left, [], `left behind: ${left.join(', ')}`);
      assert.deepStrictEqual(fs.readdirSync(sub).filter((n) => n.length === 2), [], 'a loose file was written');
    }
  });

  it('after a refused putStored, later content in the same pack lands where its index says', async () => {
    const store = new BlobStore(dir);
    const a = text(30_000, 'before');
    const bad = text(20_000, 'refused');
    const c = text(25_000, 'after');
    const batch = store.batch();
    await batch.putStored({ hash: sha(a), size: a.length }, a);
    await assert.rejects(batch.putStored({ hash: sha(bad), size: bad.length + 5 }, chunks(bad, 3000)));
    const dc = zlib.deflateRawSync(c);
    await batch.putStored({ hash: sha(c), size: c.length, deflated: { bytes: dc.length } }, dc);
    await fill(batch);
    await batch.commit();
    store.close();
    const again = new BlobStore(dir);
    assert.ok(!again.has(sha(bad)));
    assert.deepStrictEqual(await drain(again.open(sha(a))), a);
    assert.deepStrictEqual(await drain(again.open(sha(c))), c);
    again.close();
  });

  it('gives the reader of deflated content an error, not short content, when its pack was cut inside it', async () => {
    const store = new BlobStore(dir);
    const batch = store.batch();
    await fill(batch);
    const content = text(200_000, 'cut');
    const ref = await batch.put(Readable.from([content]));
    await batch.commit();
    const st = store.packed(ref.hash);
    assert.ok(st?.deflated !== undefined);
    store.close();
    const [packName] = fs.readdirSync(store.packDir).filter((n) => n.endsWith('.pack'));
    const pack = path.join(store.packDir, packName);
    fs.truncateSync(pack, fs.statSync(pack).size - Math.floor(st.deflated / 2));
    const again = new BlobStore(dir);
    await assert.rejects(drain(again.open(ref.hash)));
    again.close();
  });

  it('reads the text index of older stores, skipping a damaged last line without crashing', async () => {
    const store = new BlobStore(dir);
    const contents: Buffer[] = [];
    const batch = store.batch();
    for (let i = 0; i < 18; i++) {
      const c = i % 2 === 0 ? text(3000 + i, `entry${i}`) : random(100 + i, 3000 + i);
      contents.push(c);
      await batch.put(Readable.from([c]));
    }
    await batch.commit();
    store.close();
    const [idxName] = fs.readdirSync(store.packDir).filter((n) => n.endsWith('.idx'));
    const idx = path.join(store.packDir, idxName);
    const lines = listPackIndex(fs.readFileSync(idx)).map(textLine);
    const last = lines[lines.length - 1];
    const lastHash = last.slice(0, 64);
    const others = contents.filter((c) => sha(c) !== lastHash);
    assert.strictEqual(others.length, 17);
    const head = lines.slice(0, -1).join('\n') + '\n';
    const [, off, size] = last.split(' ');
    // Cut short by a torn write: no final newline, however much of the line made it.
    const torn = [`${lastHash} ${off} `, `${lastHash} ${off} ${size}`, `${lastHash} ${off} ${size} d`, `${lastHash} ${off} ${size} d 1`];
    const damaged = [last.slice(0, 30), last.slice(0, 64), `${lastHash} `, `${lastHash} x y`, '\u0000\u0000\u0000garbage', `${lastHash.slice(1)} 1 2`, ...torn, `${lastHash} ${off} ${size} d 0\n`];
    for (const tail of damaged) {
      fs.writeFileSync(idx, head + tail, 'latin1');
      const s = new BlobStore(dir);
      try {
        assert.ok(!s.has(lastHash), `damaged line ${JSON.stringify(tail)} was taken as an entry`);
        for (const c of others) assert.deepStrictEqual(await drain(s.open(sha(c))), c);
      } finally {
        s.close();
      }
    }
  });
});

/** Every pack index line under a host home (the replica storage lives somewhere below it). */
function packLinesUnder(home: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.idx') && path.basename(d) === 'packs') out.push(...listPackIndex(fs.readFileSync(p)).map(textLine));
    }
  };
  walk(home);
  return out;
}

describe('deflated content through export and import (CLI)', () => {
  let root: string;
  let a: string;
  let b: string;
  const T = '/vobs/dev';
  const at = (home: string, ...args: string[]): ReturnType<typeof multitool> => multitool(home, root, ...args);
  const ok = async (home: string, ...args: string[]): Promise<string[]> => (await succeed(home, root, ...args)).out;

  beforeEach(async () => {
    root = tempRoot('msdeflate-cli-');
    [a, b] = await replicatedHosts(root, ['boston', 'sanfran'], T);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** 20 elements of compressible source, one of 3 MB, and two versions of a.c by mkelem/checkin. */
  async function history(): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    const tree = path.join(root, 'tree');
    fs.mkdirSync(tree);
    for (let i = 0; i < 20; i++) files.set(`f${i}.c`, text(i === 0 ? 3 * 1024 * 1024 : 4000 + i * 100, `file${i}`));
    for (const [n, c] of files) fs.writeFileSync(path.join(tree, n), c);
    await ok(a, 'fsimport', '-invob', T, 'tree');
    files.set('a.c@@/main/1', text(9000, 'a-one'));
    files.set('a.c@@/main/2', text(9500, 'a-two'));
    fs.writeFileSync(path.join(root, 'a1.c'), files.get('a.c@@/main/1') as Buffer);
    fs.writeFileSync(path.join(root, 'a2.c'), files.get('a.c@@/main/2') as Buffer);
    await ok(a, 'mkelem', '-invob', T, '-from', 'a1.c', 'a.c');
    await ok(a, 'checkin', '-invob', T, '-from', 'a2.c', 'a.c');
    return files;
  }

  for (const compress of [false, true]) {
    it(`${compress ? '-compress' : 'plain'} export: the receiver keeps compressible content deflated in its pack, cat prints it and the digests agree`, async () => {
      const files = await history();
      await ok(a, 'syncreplica', '-export', ...(compress ? ['-compress'] : []), '-out', 'pk/upd', `sanfran_hub@${T}`);
      await ok(b, 'syncreplica', '-import', 'pk/upd');
      const lines = packLinesUnder(b);
      for (const [name, content] of files) {
        const line = lines.find((l) => l.startsWith(sha(content)));
        assert.ok(line, `${name}: not in a pack at the receiver`);
        // Checked-in versions are loose files at the sender, kept deflated like packed content:
        // every compressible version travels and arrives deflated, with or without -compress.
        assert.match(line, new RegExp(` ${content.length} d \\d+$`), `${name}: ${line}`);
        const version = name.includes('@@') ? name : `${name}@@/main/1`;
        const printed = (await ok(b, 'cat', '-invob', T, version)).join('\n');
        assert.ok(printed === content.toString().replace(/\n$/, ''), `${name}: cat printed other text`);
        await ok(b, 'cat', '-invob', T, '-to', path.join(root, 'out.c'), version);
        assert.ok(fs.readFileSync(path.join(root, 'out.c')).equals(content), `${name}: cat -to wrote other bytes`);
      }
      assert.deepStrictEqual(await ok(b, 'digest', '-invob', T), await ok(a, 'digest', '-invob', T));
    });
  }

  it('a packet damaged in transit inside large deflated content is quarantined as damaged, nothing of it applied; the intact copy applies', async () => {
    const files = await history();
    await ok(a, 'syncreplica', '-export', '-out', 'pk/upd', `sanfran_hub@${T}`);
    const good = fs.readFileSync(path.join(root, 'pk/upd'));
    // The 3 MB file travels as a 'D' frame (49 bytes of frame head, then its deflated bytes).
    const frame = good.indexOf(Buffer.concat([Buffer.from('D'), Buffer.from(sha(files.get('f0.c') as Buffer), 'hex')]));
    assert.ok(frame > 0, 'no deflated frame for the large file');
    const before = await ok(b, 'digest', '-invob', T);
    // Some flips make the content differ, others make the inflater itself fail: all are damage.
    for (const [n, [offset, xor]] of [[100, 0x01], [100, 0x5a], [20, 0x01]].entries()) {
      const bytes = Buffer.from(good);
      bytes[frame + 49 + offset] ^= xor;
      const file = path.join(root, 'pk', `bad${n}`);
      fs.writeFileSync(file, bytes);
      const r = await at(b, 'syncreplica', '-import', file);
      const what = `flip ^0x${xor.toString(16)} at deflated byte ${offset}`;
      assert.strictEqual(r.status, 1, `${what}: ${r.err.join('\n')}`);
      assert.match(errorLine(r), /Packet \S+ is damaged: .*moved to \S+quarantine/, what);
      assert.ok(!fs.existsSync(file), `${what}: the damaged packet was left in place`);
      assert.deepStrictEqual(await ok(b, 'digest', '-invob', T), before);
    }
    await ok(b, 'syncreplica', '-import', 'pk/upd');
    assert.deepStrictEqual(await ok(b, 'digest', '-invob', T), await ok(a, 'digest', '-invob', T));
  });
});
