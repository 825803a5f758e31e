import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import type { Readable } from 'stream';
import { ensureDirDurable, fsyncDir, tmpName } from './durable';
import { BlobHashMismatchError } from './errors';

export const EMPTY_BLOB = createHash('sha256').digest('hex');

export interface BlobRef {
  hash: string;
  size: number;
}

/**
 * Content-addressed version store: one file per distinct content, named by its sha256, so
 * equal content is stored once and a blob written by an import that later fails is harmless.
 * Content only ever moves as streams.
 */
export class BlobStore {
  constructor(readonly dir: string) {}

  pathOf(hash: string): string {
    return path.join(this.dir, hash.slice(0, 2), hash.slice(2));
  }

  has(hash: string, size?: number): boolean {
    try {
      const st = fs.statSync(this.pathOf(hash));
      return size === undefined || st.size === size;
    } catch {
      return false;
    }
  }

  open(hash: string): Readable {
    if (hash === EMPTY_BLOB && !this.has(hash)) return fs.createReadStream('/dev/null');
    return fs.createReadStream(this.pathOf(hash));
  }

  /** Starts a group of writes made durable together by commit(): one round of fsyncs per command, not per file. */
  batch(): BlobBatch {
    return new BlobBatch(this);
  }
}

interface Staged {
  tmp: string;
  hash: string;
}

const FSYNC_PARALLEL = 32;

export class BlobBatch {
  private staged = new Map<string, Staged>();
  private readonly tmpDir: string;

  constructor(private readonly store: BlobStore) {
    this.tmpDir = path.join(store.dir, 'tmp');
  }

  /** Streams content into the store; returns its hash and size. `expect` is checked when given. */
  async put(source: AsyncIterable<Buffer | string> | Readable, expect?: BlobRef): Promise<BlobRef> {
    fs.mkdirSync(this.tmpDir, { recursive: true });
    const tmp = tmpName(path.join(this.tmpDir, 'blob'));
    const hasher = createHash('sha256');
    let size = 0;
    const fh = await fs.promises.open(tmp, 'w');
    try {
      for await (const chunk of source as AsyncIterable<Buffer | string>) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        hasher.update(buf);
        size += buf.length;
        await fh.write(buf);
      }
    } catch (e) {
      await fh.close();
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    const hash = hasher.digest('hex');
    if (expect && (expect.hash !== hash || expect.size !== size)) {
      await fs.promises.rm(tmp, { force: true });
      throw new BlobHashMismatchError(expect.hash, hash);
    }
    if (this.staged.has(hash) || this.store.has(hash, size)) {
      await fs.promises.rm(tmp, { force: true });
    } else {
      this.staged.set(hash, { tmp, hash });
    }
    return { hash, size };
  }

  async putFile(file: string): Promise<BlobRef> {
    return this.put(fs.createReadStream(file, { highWaterMark: 256 * 1024 }));
  }

  get pending(): number {
    return this.staged.size;
  }

  /** fsync every staged file, rename into place, fsync the directories: afterwards the content survives a crash. */
  async commit(): Promise<void> {
    const items = [...this.staged.values()];
    this.staged.clear();
    await inParallel(items, FSYNC_PARALLEL, async (it) => {
      const fh = await fs.promises.open(it.tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
    const dirs = new Set<string>();
    for (const it of items) {
      const target = this.store.pathOf(it.hash);
      const dir = path.dirname(target);
      if (!dirs.has(dir)) {
        ensureDirDurable(dir);
        dirs.add(dir);
      }
      await fs.promises.rename(it.tmp, target);
    }
    await inParallel([...dirs], FSYNC_PARALLEL, async (d) => fsyncDir(d));
  }

  async abort(): Promise<void> {
    const items = [...this.staged.values()];
    this.staged.clear();
    await Promise.all(items.map((it) => fs.promises.rm(it.tmp, { force: true })));
  }
}

async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
