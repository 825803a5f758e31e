import * as crypto from 'crypto';
import type { Worker } from 'worker_threads';

/**
 * The sha256 of a packet body (header body.sha256, which the signature covers), computed as the
 * body is written or read. A large body is hashed on a worker thread: hashing 100 MB took a
 * sixth of an export's main-thread time while the second core sat idle. The body is assembled
 * in a ring of shared buffers the worker reads directly: the main thread hands a block
 * over by bumping a counter (Atomics), with no copy and no message, and waits only if it comes
 * round the ring to a block the worker has not finished. Small bodies are hashed in place:
 * starting a thread costs more than it saves. (WebCrypto's digest would be the obvious tool,
 * but in Node 20 it hashes on the calling thread.)
 */
export const BODY_BLOCK_BYTES = 1024 * 1024;
/** Bodies at least this large are hashed on a worker thread. */
export const WORKER_FROM_BYTES = 32 * 1024 * 1024;
const WORKER_RING = 8;
const LOCAL_RING = 2;

export interface BodyHash {
  /** Blocks of BODY_BLOCK_BYTES the caller fills in ring order (0, 1, ..., 0, ...). */
  readonly blocks: Buffer[];
  /** Block i (the next in ring order) holds `length` bytes of body: hash them. */
  submit(i: number, length: number): void;
  /** Returns once block i may be filled again (its bytes are hashed). */
  waitFree(i: number): void;
  /** For callers without blocks of their own: bytes in order, copied through the ring as needed. */
  update(data: Buffer): void;
  digest(): Promise<string>;
  /** Stops a worker early (the body was abandoned). Safe to call more than once. */
  close(): void;
}

/** A worker started ahead of need (prewarmBodyHash), taken by the next large body. */
let warm: WorkerHash | undefined;

/**
 * Starts a hashing thread now, so it is running by the time a large body is written: starting
 * one takes tens of milliseconds, which an export spends reading its oplog meanwhile.
 */
export function prewarmBodyHash(): void {
  if (warm) return;
  try {
    warm = new WorkerHash();
  } catch {
    warm = undefined;
  }
}

/** Stops a prewarmed thread nobody took. */
export function releasePrewarmedBodyHash(): void {
  warm?.close();
  warm = undefined;
}

export function bodyHash(expectedBytes: number): BodyHash {
  if (expectedBytes < WORKER_FROM_BYTES) return new LocalHash();
  const w = warm;
  warm = undefined;
  if (w) return w;
  try {
    return new WorkerHash();
  } catch {
    return new LocalHash();
  }
}

/** Shared by both kinds: update() through the ring. */
abstract class RingHash implements BodyHash {
  abstract readonly blocks: Buffer[];
  abstract submit(i: number, length: number): void;
  abstract waitFree(i: number): void;
  abstract digest(): Promise<string>;
  abstract close(): void;
  protected cur = 0;
  protected used = 0;

  update(data: Buffer): void {
    for (let at = 0; at < data.length; ) {
      if (this.used === BODY_BLOCK_BYTES) this.next();
      const k = data.copy(this.blocks[this.cur], this.used, at, Math.min(data.length, at + BODY_BLOCK_BYTES - this.used));
      this.used += k;
      at += k;
    }
  }

  /** Hands over what update() gathered, before the digest. */
  protected flushUpdates(): void {
    if (this.used > 0) this.next();
  }

  private next(): void {
    this.submit(this.cur, this.used);
    this.cur = (this.cur + 1) % this.blocks.length;
    this.used = 0;
    this.waitFree(this.cur);
  }
}

class LocalHash extends RingHash {
  readonly blocks = Array.from({ length: LOCAL_RING }, () => Buffer.allocUnsafe(BODY_BLOCK_BYTES));
  private readonly h = crypto.createHash('sha256');

  override update(data: Buffer): void {
    this.h.update(data);
  }
  submit(i: number, length: number): void {
    this.h.update(this.blocks[i].subarray(0, length));
  }
  waitFree(): void {}
  async digest(): Promise<string> {
    return this.h.digest('hex');
  }
  close(): void {}
}

// The worker: waits for the submitted count to move, hashes block after block in ring order,
// publishes the hashed count; a length of -1 ends the body and it answers with the digest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const h = require('crypto').createHash('sha256');
const blocks = workerData.blocks.map((s) => Buffer.from(s));
const ctl = new Int32Array(workerData.control);
for (let done = 0; ; ) {
  while (Atomics.load(ctl, 0) === done) Atomics.wait(ctl, 0, done);
  const slot = done % blocks.length;
  const length = Atomics.load(ctl, 2 + slot);
  if (length < 0) break;
  h.update(blocks[slot].subarray(0, length));
  done++;
  Atomics.store(ctl, 1, done);
  Atomics.notify(ctl, 1);
}
parentPort.postMessage(h.digest('hex'));
`;

/** How long the main thread waits for the worker to free a block before it gives up. */
const BLOCK_WAIT_MS = 60_000;
const SUBMITTED = 0;
const HASHED = 1;

class WorkerHash extends RingHash {
  readonly blocks: Buffer[];
  private readonly worker: Worker;
  /** [submitted count, hashed count, length of each block's last submission...] */
  private readonly control: Int32Array;
  /** Per block, the submission number it was last handed over as (-1: never). */
  private readonly ticket: number[];
  private submitted = 0;
  private failure: Error | undefined;
  private readonly result: Promise<string>;
  private closed = false;

  constructor() {
    super();
    const shared = Array.from({ length: WORKER_RING }, () => new SharedArrayBuffer(BODY_BLOCK_BYTES));
    this.blocks = shared.map((s) => Buffer.from(s));
    const control = new SharedArrayBuffer(4 * (2 + WORKER_RING));
    this.control = new Int32Array(control);
    this.ticket = this.blocks.map(() => -1);
    // Loaded here, not at start-up: only bodies of WORKER_FROM_BYTES and more use a thread.
    const { Worker: Thread } = require('worker_threads') as typeof import('worker_threads');
    this.worker = new Thread(WORKER_SOURCE, { eval: true, workerData: { blocks: shared, control } });
    this.result = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (d: string) => resolve(d));
      this.worker.once('error', (e: Error) => reject(this.fail(e)));
      this.worker.once('exit', () => reject(this.fail(new Error('the body hashing thread stopped'))));
    });
    this.result.catch(() => undefined);
    // After the listeners: adding a 'message' listener refs a worker again. An idle or forgotten
    // thread must never keep a command's process alive; digest() refs it while it waits.
    this.worker.unref();
  }

  submit(i: number, length: number): void {
    if (i !== this.submitted % this.blocks.length) throw new Error(`block ${i} submitted out of ring order`);
    Atomics.store(this.control, 2 + i, length);
    this.ticket[i] = this.submitted++;
    Atomics.store(this.control, SUBMITTED, this.submitted);
    Atomics.notify(this.control, SUBMITTED);
  }

  /** Blocks (Atomics.wait) until the worker has hashed block i's last submission. */
  waitFree(i: number): void {
    const until = Date.now() + BLOCK_WAIT_MS;
    for (;;) {
      const hashed = Atomics.load(this.control, HASHED);
      if (hashed > this.ticket[i]) return;
      if (this.failure) throw this.failure;
      if (Date.now() > until) throw this.fail(new Error('the body hashing thread does not answer'));
      Atomics.wait(this.control, HASHED, hashed, 100);
    }
  }

  async digest(): Promise<string> {
    this.flushUpdates();
    if (this.failure) throw this.failure;
    const end = this.submitted % this.blocks.length;
    this.waitFree(end);
    this.submit(end, -1);
    this.worker.ref();
    try {
      return await this.result;
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A worker waiting for a block is told the body has ended (every length -1), then stopped.
    for (let i = 0; i < this.blocks.length; i++) Atomics.store(this.control, 2 + i, -1);
    Atomics.add(this.control, SUBMITTED, 1);
    Atomics.notify(this.control, SUBMITTED);
    void this.worker.terminate();
  }

  private fail(e: Error): Error {
    this.failure ??= e;
    return this.failure;
  }
}
