import * as fs from 'fs';
import * as path from 'path';
import { createHash, randomUUID } from 'crypto';
import { PassThrough, Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { ensureDirDurable, fsyncDir, tmpName, writeFileAtomic } from './durable';
import { BlobDamagedError, BlobHashMismatchError } from './errors';
import { encodePackIndex, hashWords, parsePackIndex, type PackLookup } from './packIndex';

const SHA256_TEXT = /^[0-9a-f]{64}$/;

export const EMPTY_BLOB = createHash('sha256').digest('hex');

export interface BlobRef {
  hash: string;
  size: number;
}

/** Packed content as the index describes it. */
export type PackedContent = Readonly<PackEntry>;

/** Loose content as kept: its file, its size, and its bytes on disk when kept raw-deflated. */
export interface LooseContent {
  readonly hash: string;
  readonly file: string;
  readonly size: number;
  readonly deflated?: number;
}

/** The ending of a loose file that holds its content raw-deflated. */
const DEFLATED_LOOSE = '.d';

interface PackEntry {
  pack: string;
  offset: number;
  /** Content bytes (what the hash names). */
  size: number;
  /** Bytes on disk when the content is kept raw-deflated; undefined when it is kept as it is. */
  deflated?: number;
}

/**
 * Reads of packed content below this size, going through a pack in order, are served from one
 * read of READ_AHEAD_BYTES: an export of 60,000 small versions made as many read calls, about
 * a microsecond each beyond the copying. Larger reads go straight into the caller's buffer
 * unless already read ahead: copying costs about what a read call saves, so only small pieces
 * gain (a 1 MB window for pieces up to 64 KB measured no faster on a history of larger files).
 */
const READ_AHEAD_BELOW = 16 * 1024;
const READ_AHEAD_BYTES = 256 * 1024;

/** Scratch for hashWords: lookups are synchronous, so one is enough. */
const WORDS = new Uint32Array(8);

/**
 * Content is compressed once, when it enters the store, as git does: exports then copy it as
 * it is instead of compressing on every export, packets and the store are smaller, and only a
 * reader of the content (cat, a checkout) inflates. Level 1 is deflate's fast matcher: check-in
 * stays quick for a few percent of size. Content that does not shrink by an eighth (already
 * compressed formats, tiny files) is kept as it is.
 */
const STORE_DEFLATE_LEVEL = zlib.constants.Z_BEST_SPEED;
const DEFLATE_FROM_BYTES = 256;
const deflateRaw = promisify(zlib.deflateRaw) as (b: Buffer, o: zlib.ZlibOptions) => Promise<Buffer>;

function worthKeeping(deflated: number, size: number): boolean {
  return deflated <= size - (size >> 3);
}

/**
 * Content-addressed version store: content is named by its sha256, so equal content is
 * stored once and content written by an import that later fails is harmless. A command that
 * brings in many versions (an import, an fsimport) writes them as one pack file, streamed,
 * with an index beside it: two fsyncs per command instead of one per version, and no
 * directory of tens of thousands of files. A command bringing in a few versions stores them
 * as loose files. The index file is written only after its pack is durable, so a pack without
 * an index is an interrupted write and is ignored. The index (packIndex.ts) gives each hash's
 * offset, size and, when the content is kept raw-deflated (see STORE_DEFLATE_LEVEL), its bytes
 * on disk. A loose file is kept the same way: raw-deflated (`<hash>.d`) or as it is.
 */
export class BlobStore {
  private indexes: Array<{ pack: string; index: PackLookup }> | undefined;
  /** Pack files held open for positional reads (export reads thousands of blobs from a few packs). */
  private readonly packFds = new Map<string, number>();
  private looseFd: { file: string; fd: number } | undefined;
  /** Bytes read ahead from one pack (see readPacked), and where the last read from it ended. */
  private readonly readAhead = { pack: '', start: 0, end: 0, lastEnd: -1, buf: undefined as Buffer | undefined };
  private lastHit = 0;

  constructor(readonly dir: string) {}

  get packDir(): string {
    return path.join(this.dir, 'packs');
  }

  /**
   * Where loose content kept as it is lives; kept raw-deflated, the same name ending in `.d`.
   * A hash becomes a path here, so anything but a sha256 in hex is refused: the store is the
   * last line against a name like "ab/../../x", wherever it came from (damaged state).
   */
  loosePath(hash: string): string {
    if (!SHA256_TEXT.test(hash)) throw new BlobDamagedError(JSON.stringify(hash.slice(0, 80)), this.dir, 'that name is not a sha256 content hash');
    return path.join(this.dir, hash.slice(0, 2), hash.slice(2));
  }

  /** The loose file holding content and its bytes on disk, whichever way it is kept; undefined if none. */
  private looseFile(hash: string): { file: string; bytes: number; deflated: boolean } | undefined {
    // An import asks this for every blob it receives: most are new, and in a store that keeps
    // them in packs the loose file's directory does not even exist. Knowing which do saves a
    // failed stat per blob.
    if (!this.looseDirs().has(hash.slice(0, 2)) || !SHA256_TEXT.test(hash)) return undefined;
    const raw = this.loosePath(hash);
    for (const [file, deflated] of [[raw, false], [`${raw}${DEFLATED_LOOSE}`, true]] as const) {
      try {
        const st = fs.statSync(file, { throwIfNoEntry: false });
        if (st) return { file, bytes: st.size, deflated };
      } catch {
        // Unreadable: as good as absent.
      }
    }
    return undefined;
  }

  /** Loose content of `size` bytes as kept, for readLoose(); undefined if there is no loose file. */
  loose(hash: string, size: number): LooseContent | undefined {
    const f = this.looseFile(hash);
    if (!f) return undefined;
    return f.deflated ? { hash, file: f.file, size, deflated: f.bytes } : { hash, file: f.file, size };
  }

  private looseDirSet: Set<string> | undefined;

  private looseDirs(): Set<string> {
    if (!this.looseDirSet) {
      try {
        this.looseDirSet = new Set(fs.readdirSync(this.dir).filter((n) => n.length === 2));
      } catch {
        this.looseDirSet = new Set();
      }
    }
    return this.looseDirSet;
  }

  /** Called after a loose file's directory is made. */
  noteLooseDir(hash: string): void {
    this.looseDirSet?.add(hash.slice(0, 2));
  }

  /** Index files that could not be read or failed their check: their packs' content is hidden. */
  readonly unreadableIndexes: string[] = [];

  /** The packs' indexes, oldest name first. */
  private packs(): Array<{ pack: string; index: PackLookup }> {
    if (this.indexes) return this.indexes;
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.packDir).filter((n) => n.endsWith('.idx')).sort();
    } catch {
      names = [];
    }
    const indexes: Array<{ pack: string; index: PackLookup }> = [];
    for (const n of names) {
      // An unreadable or damaged index hides its pack's content: a reader then reports it
      // missing, naming the index (unreadableIndexes).
      const file = path.join(this.packDir, n);
      let index: PackLookup | undefined;
      try {
        index = parsePackIndex(fs.readFileSync(file));
      } catch {
        index = undefined;
      }
      if (index) indexes.push({ pack: file.replace(/\.idx$/, '.pack'), index });
      else this.unreadableIndexes.push(file);
    }
    this.indexes = indexes;
    return indexes;
  }

  /**
   * The pack holding content, if any. The pack that answered last is asked first: a reader
   * mostly asks for content in the order it was stored, so most lookups probe one pack however
   * many there are. Content kept in two packs is the same bytes either way.
   */
  private find(hash: string): PackEntry | undefined {
    const packs = this.packs();
    if (packs.length === 0 || !hashWords(hash, WORDS)) return undefined;
    const first = this.lastHit < packs.length ? this.lastHit : 0;
    for (let k = 0; k < packs.length; k++) {
      const i = k === 0 ? first : k === first ? 0 : k;
      const { pack, index } = packs[i];
      const e = index.find(hash, WORDS);
      if (!e) continue;
      this.lastHit = i;
      return e.deflated === undefined ? { pack, offset: e.offset, size: e.size } : { pack, offset: e.offset, size: e.size, deflated: e.deflated };
    }
    return undefined;
  }

  /**
   * Registers a pack just made durable, with the bytes of its index as written: looked up in
   * place like any index read from disk, not copied into a map of tens of thousands of entries.
   */
  addPack(pack: string, index: Buffer): void {
    // Not read yet: the first lookup reads this pack's index from disk with the others.
    if (!this.indexes) return;
    const lookup = parsePackIndex(index);
    if (!lookup) throw new Error(`the index just written for ${pack} does not read back`);
    this.indexes.push({ pack, index: lookup });
  }

  has(hash: string, size?: number): boolean {
    const p = this.find(hash);
    if (p) return size === undefined || p.size === size;
    const f = this.looseFile(hash);
    // A deflated file's size is not the content's: the hash names it.
    return f !== undefined && (size === undefined || f.deflated || f.bytes === size);
  }

  /**
   * The content, inflated when it is kept deflated. With `size` (the version's), content that
   * does not come out at that length fails the stream with BlobDamagedError, loose files too.
   */
  open(hash: string, size?: number): Readable {
    const content = this.openContent(hash);
    return size === undefined ? content : exactly(content, size, (got) => new BlobDamagedError(hash, this.dir, `it reads as ${got} bytes where ${size} were recorded`));
  }

  private openContent(hash: string): Readable {
    const p = this.find(hash);
    const damaged = (e: Error): Error => new BlobDamagedError(hash, this.dir, `its deflated bytes do not inflate (${e.message})`);
    if (p) return p.deflated !== undefined ? inflated(this.packStream(p, hash), damaged) : this.packStream(p, hash);
    const f = this.looseFile(hash);
    if (f?.deflated) return inflated(fs.createReadStream(f.file, { highWaterMark: 256 * 1024 }), damaged);
    if (hash === EMPTY_BLOB && !f) return Readable.from([]);
    return fs.createReadStream(this.loosePath(hash), { highWaterMark: 256 * 1024 });
  }

  /** The bytes on disk of content: deflated when kept deflated, packed or loose. */
  openStored(hash: string): Readable {
    const p = this.find(hash);
    if (p) return this.packStream(p, hash);
    const f = this.looseFile(hash);
    return f?.deflated ? fs.createReadStream(f.file, { highWaterMark: 256 * 1024 }) : this.open(hash);
  }

  /** Where and how packed content is kept (undefined for loose or unknown content); see readPacked(). */
  packed(hash: string): PackedContent | undefined {
    return this.find(hash);
  }

  /** Positional read of packed content's bytes on disk (deflated when kept deflated). */
  readPacked(p: PackedContent, buf: Buffer, offset: number, length: number, position: number): number {
    return this.readPackedAt(p.pack, p.offset, p.deflated ?? p.size, buf, offset, length, position);
  }

  /** readPacked() of the `bytes` stored at `packOffset` in `pack`, for a reader that keeps those itself. */
  readPackedAt(pack: string, packOffset: number, bytes: number, buf: Buffer, offset: number, length: number, position: number): number {
    if (position < 0 || position + length > bytes) throw new RangeError(`read of ${length} bytes at ${position} is outside stored content (${bytes} bytes)`);
    let fd = this.packFds.get(pack);
    if (fd === undefined) {
      fd = fs.openSync(pack, 'r');
      this.packFds.set(pack, fd);
    }
    const at = packOffset + position;
    const w = this.readAhead;
    if (w.pack === pack) {
      // Whatever its size: reading again what was read ahead would read it twice.
      if (at >= w.start && at + length <= w.end) return this.fromWindow(at, buf, offset, length);
      // Where the last read ended: the reader goes through the pack in order, as an export of
      // what was stored together does. One read for the many small pieces ahead.
      if (length <= READ_AHEAD_BELOW && at === w.lastEnd) {
        w.buf ??= Buffer.allocUnsafe(READ_AHEAD_BYTES);
        w.start = at;
        w.end = at + fs.readSync(fd, w.buf, 0, READ_AHEAD_BYTES, at);
        return this.fromWindow(at, buf, offset, Math.min(length, w.end - at));
      }
    }
    const n = fs.readSync(fd, buf, offset, length, at);
    if (w.pack !== pack) {
      w.pack = pack;
      w.start = w.end = 0;
    }
    w.lastEnd = at + n;
    return n;
  }

  private fromWindow(at: number, buf: Buffer, offset: number, length: number): number {
    const w = this.readAhead;
    const n = (w.buf as Buffer).copy(buf, offset, at - w.start, at - w.start + length);
    w.lastEnd = at + n;
    return n;
  }

  /**
   * Positional read of loose content's bytes on disk (deflated when kept deflated; see loose()).
   * The file last read stays open until another is read or the store is closed: a reader takes
   * each blob whole before the next, and a stream per blob cost an export of many small loose
   * versions more than the reading.
   */
  readLoose(l: LooseContent, buf: Buffer, offset: number, length: number, position: number): number {
    const bytes = l.deflated ?? l.size;
    if (position < 0 || position + length > bytes) throw new RangeError(`read of ${length} bytes at ${position} is outside content ${l.hash} (${bytes} bytes)`);
    if (this.looseFd?.file !== l.file) {
      this.closeLoose();
      const fd = fs.openSync(l.file, 'r');
      let actual: number;
      try {
        actual = fs.fstatSync(fd).size;
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
      if (actual !== bytes) {
        fs.closeSync(fd);
        throw new BlobDamagedError(l.hash, this.dir, `its file is ${actual} bytes where ${bytes} were recorded`);
      }
      this.looseFd = { file: l.file, fd };
    }
    return fs.readSync(this.looseFd.fd, buf, offset, length, position);
  }

  private closeLoose(): void {
    if (this.looseFd) fs.closeSync(this.looseFd.fd);
    this.looseFd = undefined;
  }

  /** Closes the files readPacked() and readLoose() opened. */
  close(): void {
    for (const fd of this.packFds.values()) fs.closeSync(fd);
    this.packFds.clear();
    this.closeLoose();
  }

  /** Packed content's bytes as kept (deflated when kept deflated), all of them or an error. */
  private packStream(p: PackEntry, hash: string): Readable {
    const bytes = p.deflated ?? p.size;
    if (bytes === 0) return Readable.from([]);
    const stream = fs.createReadStream(p.pack, { start: p.offset, end: p.offset + bytes - 1, highWaterMark: 256 * 1024 });
    return exactly(stream, bytes, (got) => new BlobDamagedError(hash, this.dir, `its pack ${path.basename(p.pack)} holds ${got} of its ${bytes} bytes`));
  }

  /** Starts a group of writes made durable together by commit(); `sealEntries`: see SEAL_ENTRIES. */
  batch(sealEntries = SEAL_ENTRIES): BlobBatch {
    return new BlobBatch(this, sealEntries);
  }
}

/**
 * `stream`, failed with fail(bytes read) unless it gives exactly `bytes`: a file read by range
 * past its end just ends early, and a reader would take the short content for the whole.
 */
function exactly(stream: Readable, bytes: number, fail: (got: number) => Error): Readable {
  let got = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done): void {
      got += chunk.length;
      done(got > bytes ? fail(got) : null, chunk);
    },
    flush(done): void {
      done(got === bytes ? null : fail(got));
    },
  });
  pipeline(stream, check).catch(() => undefined);
  return check;
}

/**
 * Raw deflate data inflated as it is read. An error reading the stored bytes reaches the reader
 * as it is; one inflating them (damaged bytes) as damaged(error), not as zlib's bare message.
 */
function inflated(stored: Readable, damaged: (e: Error) => Error): Readable {
  const inflate = zlib.createInflateRaw({ chunkSize: 256 * 1024 });
  const out = new PassThrough();
  stored.on('error', (e: Error) => out.destroy(e));
  inflate.on('error', (e: Error) => out.destroy(damaged(e)));
  out.on('close', () => {
    stored.destroy();
    inflate.destroy();
  });
  stored.pipe(inflate).pipe(out);
  return out;
}

function writeAt(fd: number, data: Buffer, position: number): void {
  for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off, position + off);
}

/** Content up to this size is handled whole in memory (read, hashed and deflated in one piece). */
const SMALL_FILE = 1024 * 1024;

/** Batches with fewer entries than this are stored as loose files. */
const LOOSE_BELOW = 16;

interface BatchEntry {
  offset: number;
  size: number;
  deflated?: number;
}

/**
 * Entries after which putStored closes the batch's pack file and keeps only its index, as the
 * bytes of a pack index (about 44 bytes an entry, outside the heap, where a map entry takes
 * about 150 in it): an import of hundreds of thousands of contents then holds little per
 * content. The closed pack stays under its temporary name, invisible to the store, until
 * commit; abort removes it.
 */
const SEAL_ENTRIES = 16384;

interface SealedPack {
  tmp: string;
  index: Buffer;
  lookup: PackLookup;
}

export class BlobBatch {
  private fd: number | undefined;
  private tmpPack = '';
  private end = 0;
  private entries = new Map<string, BatchEntry>();
  private sealed: SealedPack[] = [];

  constructor(
    private readonly store: BlobStore,
    private readonly sealEntries = SEAL_ENTRIES,
  ) {}

  get pending(): number {
    return this.entries.size;
  }

  private open(): number {
    if (this.fd === undefined) {
      // Durable: a pack published into a directory entry a power loss can take is lost with it.
      ensureDirDurable(this.store.packDir);
      this.tmpPack = tmpName(path.join(this.store.packDir, 'pack'));
      this.fd = fs.openSync(this.tmpPack, 'w+');
      this.end = 0;
    }
    return this.fd;
  }

  private known(hash: string, size: number): boolean {
    return this.entries.has(hash) || this.sealedHas(hash, size) || this.store.has(hash, size);
  }

  private sealedHas(hash: string, size: number): boolean {
    if (this.sealed.length === 0 || !hashWords(hash, WORDS)) return false;
    for (const s of this.sealed) {
      const e = s.lookup.find(hash, WORDS);
      if (e) return e.size === size;
    }
    return false;
  }

  /** Closes the pack being written and keeps its index (see SEAL_ENTRIES). */
  private seal(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    // The next content starts a new pack, at its beginning.
    this.end = 0;
    try {
      if (this.entries.size > 0) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (this.entries.size === 0) {
      fs.rmSync(this.tmpPack, { force: true });
      this.tmpPack = '';
      return;
    }
    const index = encodePackIndex([...this.entries].map(([hash, e]) => ({ hash, ...e })));
    this.entries.clear();
    const lookup = parsePackIndex(index);
    if (!lookup) throw new Error(`the index made for ${this.tmpPack} does not read back`);
    this.sealed.push({ tmp: this.tmpPack, index, lookup });
    this.tmpPack = '';
  }

  /** Gives a closed pack its final name and its index, durably, and shows it to the store. */
  private publish(tmp: string, index: Buffer): void {
    const id = randomUUID();
    const pack = path.join(this.store.packDir, `pack-${id}.pack`);
    fs.renameSync(tmp, pack);
    try {
      fsyncDir(this.store.packDir);
      writeFileAtomic(path.join(this.store.packDir, `pack-${id}.idx`), index);
    } catch (e) {
      // A pack without its index is ignored, but it would take the space for good.
      fs.rmSync(pack, { force: true });
      throw e;
    }
    this.store.addPack(pack, index);
  }

  /** Appends bytes to the pack being written; returns where they start. */
  private append(data: Buffer): number {
    const start = this.end;
    writeAt(this.open(), data, start);
    this.end += data.length;
    return start;
  }

  /** Whole content already hashed: kept deflated when that pays (see STORE_DEFLATE_LEVEL). */
  private async putWhole(data: Buffer, hash: string): Promise<BlobRef> {
    if (this.known(hash, data.length)) return { hash, size: data.length };
    let deflated: Buffer | undefined;
    if (data.length >= DEFLATE_FROM_BYTES) {
      const d = await deflateRaw(data, { level: STORE_DEFLATE_LEVEL, chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, data.length + 1024) });
      if (worthKeeping(d.length, data.length)) deflated = d;
    }
    // Another put of the same content may have finished while this one was deflating.
    if (this.known(hash, data.length)) return { hash, size: data.length };
    const offset = this.append(deflated ?? data);
    this.entries.set(hash, deflated ? { offset, size: data.length, deflated: deflated.length } : { offset, size: data.length });
    return { hash, size: data.length };
  }

  /**
   * Streams content into the batch; returns its hash and size. `expect` is checked when given.
   * Up to SMALL_FILE bytes are taken whole; larger content is written as it streams, deflated
   * when its first SMALL_FILE bytes show that it compresses.
   */
  async put(source: AsyncIterable<Buffer | string> | Readable, expect?: BlobRef): Promise<BlobRef> {
    const it = (source as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headLen = 0;
    let more = true;
    while (headLen <= SMALL_FILE) {
      const r = await it.next();
      if (r.done) {
        more = false;
        break;
      }
      const buf = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      head.push(buf);
      headLen += buf.length;
    }
    if (!more) {
      const data = head.length === 1 ? head[0] : Buffer.concat(head, headLen);
      const hash = createHash('sha256').update(data).digest('hex');
      if (expect && (expect.hash !== hash || expect.size !== data.length)) throw new BlobHashMismatchError(expect.hash, hash);
      return this.putWhole(data, hash);
    }
    return this.putStreamed(head, headLen, it, expect);
  }

  private async putStreamed(head: Buffer[], headLen: number, rest: AsyncIterator<Buffer | string>, expect?: BlobRef): Promise<BlobRef> {
    const fd = this.open();
    const start = this.end;
    const hasher = createHash('sha256');
    const sample = Buffer.concat(head, headLen).subarray(0, SMALL_FILE);
    const compress = worthKeeping(zlib.deflateRawSync(sample, { level: STORE_DEFLATE_LEVEL }).length, sample.length);
    // Written after the batch's end, which moves only once the content is known to be kept.
    let pos = start;
    const write = (buf: Buffer): void => {
      writeAt(fd, buf, pos);
      pos += buf.length;
    };
    let size = 0;
    const feed = (b: Buffer): Buffer => {
      hasher.update(b);
      size += b.length;
      return b;
    };
    const hashed = async function* (): AsyncGenerator<Buffer> {
      for (const b of head) yield feed(b);
      for (let r = await rest.next(); !r.done; r = await rest.next()) yield feed(typeof r.value === 'string' ? Buffer.from(r.value) : r.value);
    };
    try {
      if (compress) {
        await pipeline(hashed(), zlib.createDeflateRaw({ level: STORE_DEFLATE_LEVEL, chunkSize: 256 * 1024 }), async (out: AsyncIterable<Buffer>) => {
          for await (const b of out) write(b);
        });
      } else {
        for await (const b of hashed()) write(b);
      }
    } catch (e) {
      fs.ftruncateSync(fd, start);
      throw e;
    }
    const hash = hasher.digest('hex');
    if (expect && (expect.hash !== hash || expect.size !== size)) {
      fs.ftruncateSync(fd, start);
      throw new BlobHashMismatchError(expect.hash, hash);
    }
    if (this.known(hash, size)) {
      fs.ftruncateSync(fd, start);
    } else {
      this.entries.set(hash, compress ? { offset: start, size, deflated: pos - start } : { offset: start, size });
      this.end = pos;
    }
    return { hash, size };
  }

  /** A file's content; small files are read whole (at most 1 MB) so unchanged content costs no write. */
  async putFile(file: string): Promise<BlobRef> {
    const st = await fs.promises.stat(file);
    if (st.size > SMALL_FILE) return this.put(fs.createReadStream(file, { highWaterMark: 256 * 1024 }));
    const data = await fs.promises.readFile(file);
    return this.putWhole(data, createHash('sha256').update(data).digest('hex'));
  }

  /**
   * Content as it arrived in a packet, already checked against its hash by the packet reader
   * (or checked when the reader reaches the next entry: a failure then aborts the batch before
   * anything refers to it): kept exactly as it travelled, deflated or not, so an import neither
   * inflates to store nor compresses again.
   */
  async putStored(ref: { hash: string; size: number; deflated?: { bytes: number } }, content: Buffer | AsyncIterable<Buffer>): Promise<void> {
    const bytes = ref.deflated?.bytes ?? ref.size;
    if (this.known(ref.hash, ref.size)) {
      if (!Buffer.isBuffer(content)) for await (const b of content) void b;
      return;
    }
    const start = this.end;
    const undo = (): void => {
      if (this.fd !== undefined) fs.ftruncateSync(this.fd, start);
      this.end = start;
    };
    try {
      if (Buffer.isBuffer(content)) this.append(content);
      else for await (const b of content) this.append(b);
    } catch (e) {
      undo();
      throw e;
    }
    const got = this.end - start;
    if (got !== bytes) {
      undo();
      throw new Error(`content ${ref.hash} brought ${got} bytes where ${bytes} were announced`);
    }
    this.entries.set(ref.hash, ref.deflated ? { offset: start, size: ref.size, deflated: bytes } : { offset: start, size: ref.size });
    // Only here: an import puts one content at a time, so no other put is writing this pack.
    if (this.entries.size >= this.sealEntries) this.seal();
  }

  /**
   * Makes everything put so far durable: afterwards the content survives a crash. A few
   * contents become loose files; more are packed, the pack being written closed (seal) and every
   * closed pack published, each leaving the list once it is: on a failure abort() removes the rest.
   */
  async commit(): Promise<void> {
    try {
      if (this.sealed.length === 0 && this.entries.size > 0 && this.entries.size < LOOSE_BELOW) await this.commitLoose();
      this.seal();
      while (this.sealed.length > 0) {
        this.publish(this.sealed[0].tmp, this.sealed[0].index);
        this.sealed.shift();
      }
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  /** The batch's few contents as loose files, copied out of the pack being written, which goes. */
  private async commitLoose(): Promise<void> {
    const fd = this.fd as number;
    this.fd = undefined;
    const entries = [...this.entries].map(([hash, e]) => ({ hash, ...e }));
    this.entries.clear();
    try {
      for (const e of entries) await this.writeLoose(fd, e);
    } finally {
      fs.closeSync(fd);
      fs.rmSync(this.tmpPack, { force: true });
      this.tmpPack = '';
    }
  }

  /**
   * A loose file holds the content as the batch kept it: raw-deflated (its name ending in `.d`)
   * when it was deflated, as git keeps loose objects compressed, else as it is. Deflated bytes
   * are copied, not inflated and compressed again.
   */
  private async writeLoose(fd: number, e: { hash: string } & BatchEntry): Promise<void> {
    const target = e.deflated !== undefined ? `${this.store.loosePath(e.hash)}${DEFLATED_LOOSE}` : this.store.loosePath(e.hash);
    ensureDirDurable(path.dirname(target));
    this.store.noteLooseDir(e.hash);
    const tmp = tmpName(target);
    const stored = e.deflated ?? e.size;
    const source = stored === 0 ? Readable.from([]) : fs.createReadStream('', { fd, autoClose: false, start: e.offset, end: e.offset + stored - 1, highWaterMark: 1024 * 1024 });
    try {
      await pipeline(source, fs.createWriteStream(tmp));
      const check = fs.openSync(tmp, 'r+');
      try {
        if (fs.fstatSync(check).size !== stored) throw new Error(`content ${e.hash} came out of ${this.tmpPack} with the wrong size`);
        fs.fsyncSync(check);
      } finally {
        fs.closeSync(check);
      }
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.renameSync(tmp, target);
    fsyncDir(path.dirname(target));
  }

  async abort(): Promise<void> {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.entries.clear();
    if (this.tmpPack) fs.rmSync(this.tmpPack, { force: true });
    this.tmpPack = '';
    for (const s of this.sealed) fs.rmSync(s.tmp, { force: true });
    this.sealed = [];
  }
}
