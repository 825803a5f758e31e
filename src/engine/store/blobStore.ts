import * as fs from 'fs';
import * as path from 'path';
import { createHash, randomUUID } from 'crypto';
import { Readable } from 'stream';
import { ensureDirDurable, fsyncDir, tmpName, writeFileAtomic } from './durable';
import { BlobHashMismatchError } from './errors';

export const EMPTY_BLOB = createHash('sha256').digest('hex');

export interface BlobRef {
  hash: string;
  size: number;
}

interface PackEntry {
  pack: string;
  offset: number;
  size: number;
}

/**
 * Content-addressed version store: content is named by its sha256, so equal content is
 * stored once and content written by an import that later fails is harmless. A command that
 * brings in many versions (an import, an fsimport) writes them as one pack file, streamed,
 * with an index beside it: two fsyncs per command instead of one per version, and no
 * directory of tens of thousands of files. A command bringing in a few versions stores them
 * as loose files. The index file is written only after its pack is durable, so a pack without
 * an index is an interrupted write and is ignored.
 */
export class BlobStore {
  private index: Map<string, PackEntry> | undefined;
  /** Pack files held open for positional reads (export reads thousands of blobs from a few packs). */
  private readonly packFds = new Map<string, number>();

  constructor(readonly dir: string) {}

  get packDir(): string {
    return path.join(this.dir, 'packs');
  }

  loosePath(hash: string): string {
    return path.join(this.dir, hash.slice(0, 2), hash.slice(2));
  }

  private packs(): Map<string, PackEntry> {
    if (this.index) return this.index;
    const index = new Map<string, PackEntry>();
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.packDir).filter((n) => n.endsWith('.idx')).sort();
    } catch {
      names = [];
    }
    for (const n of names) {
      const pack = path.join(this.packDir, n.replace(/\.idx$/, '.pack'));
      const text = fs.readFileSync(path.join(this.packDir, n), 'latin1');
      for (const line of text.split('\n')) {
        if (line.length < 68) continue;
        const [hash, off, size] = line.split(' ');
        if (!index.has(hash)) index.set(hash, { pack, offset: Number(off), size: Number(size) });
      }
    }
    this.index = index;
    return index;
  }

  /** Registers a pack just made durable (its index is on disk). */
  addPack(pack: string, entries: ReadonlyArray<{ hash: string; offset: number; size: number }>): void {
    const index = this.packs();
    for (const e of entries) if (!index.has(e.hash)) index.set(e.hash, { pack, offset: e.offset, size: e.size });
  }

  has(hash: string, size?: number): boolean {
    const p = this.packs().get(hash);
    if (p) return size === undefined || p.size === size;
    // Without an exception for the usual answer (absent): an import asks this for every blob.
    try {
      const st = fs.statSync(this.loosePath(hash), { throwIfNoEntry: false });
      return st !== undefined && (size === undefined || st.size === size);
    } catch {
      return false;
    }
  }

  open(hash: string): Readable {
    const p = this.packs().get(hash);
    if (p) return p.size === 0 ? Readable.from([]) : fs.createReadStream(p.pack, { start: p.offset, end: p.offset + p.size - 1, highWaterMark: 256 * 1024 });
    if (hash === EMPTY_BLOB && !this.has(hash)) return Readable.from([]);
    return fs.createReadStream(this.loosePath(hash), { highWaterMark: 256 * 1024 });
  }

  /**
   * A positional reader of a packed blob's content, over a pack file kept open until close():
   * an export of thousands of small versions otherwise opens and closes the pack for each.
   * Undefined for loose or unknown content (use open()). Reads return fewer bytes only at the
   * end of the pack file.
   */
  positional(hash: string): ((buf: Buffer, offset: number, length: number, position: number) => number) | undefined {
    const p = this.packs().get(hash);
    if (!p) return undefined;
    return (buf, offset, length, position) => {
      if (position < 0 || position + length > p.size) throw new RangeError(`read of ${length} bytes at ${position} is outside content ${hash} (${p.size} bytes)`);
      let fd = this.packFds.get(p.pack);
      if (fd === undefined) {
        fd = fs.openSync(p.pack, 'r');
        this.packFds.set(p.pack, fd);
      }
      return fs.readSync(fd, buf, offset, length, p.offset + position);
    };
  }

  /** Closes the pack files positional() opened. */
  close(): void {
    for (const fd of this.packFds.values()) fs.closeSync(fd);
    this.packFds.clear();
  }

  /** Starts a group of writes made durable together by commit(). */
  batch(): BlobBatch {
    return new BlobBatch(this);
  }
}

const SMALL_FILE = 1024 * 1024;

/** Batches with fewer entries than this are stored as loose files. */
const LOOSE_BELOW = 16;

export class BlobBatch {
  private fd: number | undefined;
  private tmpPack = '';
  private end = 0;
  private entries = new Map<string, { offset: number; size: number }>();

  constructor(private readonly store: BlobStore) {}

  get pending(): number {
    return this.entries.size;
  }

  private open(): number {
    if (this.fd === undefined) {
      fs.mkdirSync(this.store.packDir, { recursive: true });
      this.tmpPack = tmpName(path.join(this.store.packDir, 'pack'));
      this.fd = fs.openSync(this.tmpPack, 'w+');
      this.end = 0;
    }
    return this.fd;
  }

  /** Streams content into the batch; returns its hash and size. `expect` is checked when given. */
  async put(source: AsyncIterable<Buffer | string> | Readable, expect?: BlobRef): Promise<BlobRef> {
    const fd = this.open();
    const start = this.end;
    const hasher = createHash('sha256');
    let pos = start;
    let pendingBufs: Buffer[] = [];
    let pendingLen = 0;
    const flush = (): void => {
      if (!pendingLen) return;
      const buf = pendingBufs.length === 1 ? pendingBufs[0] : Buffer.concat(pendingBufs, pendingLen);
      let off = 0;
      while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off, pos + off);
      pos += buf.length;
      pendingBufs = [];
      pendingLen = 0;
    };
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hasher.update(buf);
      pendingBufs.push(buf);
      pendingLen += buf.length;
      if (pendingLen >= 1024 * 1024) flush();
    }
    flush();
    const size = pos - start;
    const hash = hasher.digest('hex');
    if (expect && (expect.hash !== hash || expect.size !== size)) {
      fs.ftruncateSync(fd, start);
      throw new BlobHashMismatchError(expect.hash, hash);
    }
    if (this.entries.has(hash) || this.store.has(hash, size)) {
      fs.ftruncateSync(fd, start);
    } else {
      this.entries.set(hash, { offset: start, size });
      this.end = pos;
    }
    return { hash, size };
  }

  /** A file's content; small files are read whole (at most 1 MB) so unchanged content costs no write. */
  async putFile(file: string): Promise<BlobRef> {
    const st = await fs.promises.stat(file);
    if (st.size > SMALL_FILE) return this.put(fs.createReadStream(file, { highWaterMark: 256 * 1024 }));
    const data = await fs.promises.readFile(file);
    const hash = createHash('sha256').update(data).digest('hex');
    if (!this.entries.has(hash) && !this.store.has(hash, data.length)) {
      const fd = this.open();
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off, this.end + off);
      this.entries.set(hash, { offset: this.end, size: data.length });
      this.end += data.length;
    }
    return { hash, size: data.length };
  }

  /** Makes everything put so far durable: afterwards the content survives a crash. */
  async commit(): Promise<void> {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    const entries = [...this.entries].map(([hash, e]) => ({ hash, ...e }));
    this.entries.clear();
    try {
      if (entries.length === 0) return;
      if (entries.length < LOOSE_BELOW) {
        for (const e of entries) this.writeLoose(fd, e);
        return;
      }
      fs.fsyncSync(fd);
      const id = randomUUID();
      const pack = path.join(this.store.packDir, `pack-${id}.pack`);
      fs.renameSync(this.tmpPack, pack);
      this.tmpPack = '';
      fsyncDir(this.store.packDir);
      writeFileAtomic(path.join(this.store.packDir, `pack-${id}.idx`), entries.map((e) => `${e.hash} ${e.offset} ${e.size}\n`).join(''));
      this.store.addPack(pack, entries);
    } finally {
      fs.closeSync(fd);
      if (this.tmpPack) fs.rmSync(this.tmpPack, { force: true });
      this.tmpPack = '';
    }
  }

  private writeLoose(fd: number, e: { hash: string; offset: number; size: number }): void {
    const target = this.store.loosePath(e.hash);
    ensureDirDurable(path.dirname(target));
    const tmp = tmpName(target);
    const out = fs.openSync(tmp, 'w');
    try {
      const buf = Buffer.allocUnsafe(Math.min(e.size, 1024 * 1024) || 1);
      for (let done = 0; done < e.size; ) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, e.size - done), e.offset + done);
        if (n <= 0) throw new Error(`short read from ${this.tmpPack}`);
        fs.writeSync(out, buf, 0, n);
        done += n;
      }
      fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
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
  }
}
