import * as crypto from 'crypto';
import { Worker } from 'worker_threads';

/**
 * The sha256 of a packet body (header body.sha256, which the signature covers), computed as the
 * body is written or read. A large body is hashed on a worker thread: hashing 100 MB took a
 * sixth of an export's main-thread time, and the second core was idle meanwhile. The bytes go
 * to the worker through a ring of shared buffers (one copy, no transfer), so the caller may
 * reuse its own buffer at once. Small bodies are hashed in place: starting a thread costs more.
 * (WebCrypto's digest would be the obvious tool, but in Node 20 it hashes on the calling thread.)
 */
export const DIGEST_PIECE_BYTES = 1024 * 1024;
/** Bodies at least this large are hashed on a worker thread. */
const WORKER_FROM_BYTES = 32 * 1024 * 1024;
const SLOTS = 4;

export interface BodyHash {
  update(data: Buffer): void;
  digest(): Promise<string>;
  /** Stops a worker early (the body was abandoned). Safe to call more than once. */
  close(): void;
}

export function bodyHash(expectedBytes: number): BodyHash {
  if (expectedBytes < WORKER_FROM_BYTES) return new LocalHash();
  try {
    return new WorkerHash();
  } catch {
    return new LocalHash();
  }
}

class LocalHash implements BodyHash {
  private readonly h = crypto.createHash('sha256');
  update(data: Buffer): void {
    this.h.update(data);
  }
  async digest(): Promise<string> {
    return this.h.digest('hex');
  }
  close(): void {}
}

// The worker: hashes each slot in the order posted, marks it free (Atomics), answers "end" with the digest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const h = require('crypto').createHash('sha256');
const slots = workerData.slots.map((s) => Buffer.from(s));
const state = new Int32Array(workerData.state);
parentPort.on('message', (m) => {
  if (m.end) { parentPort.postMessage(h.digest('hex')); return; }
  h.update(slots[m.slot].subarray(0, m.length));
  Atomics.store(state, m.slot, 0);
  Atomics.notify(state, m.slot);
});
`;

/** How long update() waits for the worker to free a slot before it gives up. */
const SLOT_WAIT_MS = 60_000;

class WorkerHash implements BodyHash {
  private readonly worker: Worker;
  private readonly slots: Buffer[];
  /** Per slot: 1 while the worker has it, 0 when it may be written. */
  private readonly state: Int32Array;
  private cur = 0;
  private used = 0;
  private failure: Error | undefined;
  private result: Promise<string>;
  private closed = false;

  constructor() {
    const shared = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(DIGEST_PIECE_BYTES));
    this.slots = shared.map((s) => Buffer.from(s));
    const state = new SharedArrayBuffer(4 * SLOTS);
    this.state = new Int32Array(state);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { slots: shared, state } });
    this.worker.unref();
    this.result = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (d: string) => resolve(d));
      this.worker.once('error', (e: Error) => reject(this.fail(e)));
      this.worker.once('exit', () => reject(this.fail(new Error('the body hashing thread stopped'))));
    });
    this.result.catch(() => undefined);
  }

  update(data: Buffer): void {
    for (let at = 0; at < data.length; ) {
      if (this.used === DIGEST_PIECE_BYTES) this.post();
      if (this.used === 0) this.waitFree(this.cur);
      const k = data.copy(this.slots[this.cur], this.used, at, Math.min(data.length, at + DIGEST_PIECE_BYTES - this.used));
      this.used += k;
      at += k;
    }
  }

  async digest(): Promise<string> {
    if (this.failure) throw this.failure;
    if (this.used > 0) this.post();
    this.worker.postMessage({ end: true });
    try {
      return await this.result;
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }

  private post(): void {
    Atomics.store(this.state, this.cur, 1);
    this.worker.postMessage({ slot: this.cur, length: this.used });
    this.cur = (this.cur + 1) % SLOTS;
    this.used = 0;
  }

  /** Blocks until the worker has finished with a slot: it is at most SLOTS MiB behind. */
  private waitFree(slot: number): void {
    const until = Date.now() + SLOT_WAIT_MS;
    while (Atomics.load(this.state, slot) !== 0) {
      if (this.failure) throw this.failure;
      if (Date.now() > until) throw this.fail(new Error('the body hashing thread does not answer'));
      Atomics.wait(this.state, slot, 1, 100);
    }
  }

  private fail(e: Error): Error {
    this.failure ??= e;
    return this.failure;
  }
}
