import * as os from 'os';
import { Transform, type TransformCallback } from 'stream';
import { promisify } from 'util';
import * as zlib from 'zlib';

/**
 * -compress: the body as a series of gzip members of GZIP_MEMBER_BYTES input each, compressed
 * several at a time on the thread pool and written in order. Concatenated members are one valid
 * gzip stream (RFC 1952; Node's gunzip reads them as one), so readers need nothing special,
 * and on a machine with more than one core compression stops being the slowest step of an
 * export. Restarting the dictionary every megabyte costs a fraction of a percent of size.
 */
export const GZIP_MEMBER_BYTES = 1024 * 1024;

/**
 * Level 1 (deflate's fast matcher) compresses text two to three times faster than the default
 * level 6 for output a few percent larger; packets are transient, so export speed wins.
 */
export const GZIP_LEVEL = zlib.constants.Z_BEST_SPEED;

const gzip = promisify(zlib.gzip) as (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>;

/** deflateBound of n bytes plus the gzip wrapper, rounded up (at least zlib's smallest chunk). */
function memberChunk(n: number): number {
  return Math.max(zlib.constants.Z_MIN_CHUNK, n + (n >> 12) + (n >> 14) + 1024);
}

export class ParallelGzip extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly inflight: Promise<Buffer>[] = [];
  private members = 0;

  constructor(private readonly parallel = Math.max(2, Math.min(4, os.availableParallelism())), private readonly level = GZIP_LEVEL) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.dispatchFull().then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    (async (): Promise<void> => {
      if (this.pendingBytes > 0 || this.members === 0) this.dispatch(this.pendingBytes);
      while (this.inflight.length > 0) this.push(await (this.inflight.shift() as Promise<Buffer>));
    })().then(() => cb(), cb);
  }

  private async dispatchFull(): Promise<void> {
    while (this.pendingBytes >= GZIP_MEMBER_BYTES) {
      this.dispatch(GZIP_MEMBER_BYTES);
      // Bounded work in flight: memory stays a few megabytes whatever the body size.
      if (this.inflight.length >= this.parallel) this.push(await (this.inflight.shift() as Promise<Buffer>));
    }
  }

  private dispatch(n: number): void {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const input = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    // One output buffer large enough for the whole member: with zlib's default 16 KB chunks the
    // thread pool hands back every 16 KB to the main thread, which then paced compression.
    const p = gzip(input, { level: this.level, chunkSize: memberChunk(input.length) });
    // Awaited in order later; marked handled now so an early failure is not reported as unhandled.
    p.catch(() => undefined);
    this.inflight.push(p);
    this.members++;
  }
}
