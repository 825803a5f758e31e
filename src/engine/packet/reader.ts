import * as crypto from 'crypto';
import * as fs from 'fs';
import { promisify } from 'util';
import { Readable, pipeline } from 'stream';
import * as zlib from 'zlib';
import { BODY_BLOCK_BYTES, bodyHash, type BodyHash } from './bodyDigest';
import { PacketIntegrityError, PacketError } from './errors';
import {
  FRAME_BLOB,
  FRAME_DEFLATED_BLOB,
  FRAME_DEFLATED_RECORDS,
  FRAME_END,
  FRAME_RECORD,
  MAX_DEFLATED_RECORDS_BYTES,
  MAX_RECORD_BYTES,
  PREFIX_BYTES,
  RECORD_FRAME_OVERHEAD,
  SIGNATURE_BYTES,
  bodyOffset,
  deflateBound,
} from './format';
import { OPEN_FLAGS, readRawHeader, type RawHeader } from './header';
import { checkSignature } from './sign';
import type { HostKeyLookup, PacketEntry, PacketHeader, PacketRecord } from './types';

/**
 * Reading a packet body: records and content streams in written order. Every length read from
 * the file is checked against a limit before anything is allocated, content is streamed, and
 * the body's sha256 is recomputed on the way; a mismatch is thrown at the end, so callers
 * apply nothing until the iteration has completed. When the body is malformed the whole body
 * is hashed again so a damaged file is reported as damaged rather than as its first symptom.
 */

const READ_CHUNK = 256 * 1024;
/**
 * Content up to this size is read whole and checked before it is handed over: one buffer
 * instead of a stream per version (a history is thousands of small versions). Larger content
 * streams and is checked as it passes.
 */
const WHOLE_BYTES = 1024 * 1024;

export interface OpenedPacket {
  raw: RawHeader;
  header: PacketHeader;
  signature: Buffer;
  start: number;
}

/**
 * Header, file size and (with keyLookup) signature checks: everything that can be known
 * without reading the body.
 */
export async function openPacket(file: string, keyLookup?: HostKeyLookup): Promise<OpenedPacket> {
  const raw = await readRawHeader(file);
  const header = raw.header;
  const headerLength = raw.signed.length - PREFIX_BYTES;
  const start = bodyOffset(headerLength);
  const fh = await fs.promises.open(file, OPEN_FLAGS);
  try {
    const st = await fh.stat();
    // Replaced since its header was read (by something other than a packet): refuse, do not block on it.
    if (!st.isFile()) throw new PacketIntegrityError(file, 'it is no longer a regular file');
    const { size } = st;
    const expected = start + header.body.length;
    if (size < start) throw new PacketIntegrityError(file, `the file ends after ${size} bytes, inside the signature (which ends at byte ${start})`);
    if (size < expected) throw new PacketIntegrityError(file, `the file is truncated: ${size} bytes, the header says ${expected}`);
    if (size > expected) throw new PacketIntegrityError(file, `${size - expected} unexpected bytes follow the end of the packet (${expected} bytes)`);
    const signature = Buffer.alloc(SIGNATURE_BYTES);
    const { bytesRead } = await fh.read(signature, 0, SIGNATURE_BYTES, PREFIX_BYTES + headerLength);
    if (bytesRead < SIGNATURE_BYTES) throw new PacketIntegrityError(file, 'the file is truncated inside the signature');
    if (keyLookup) checkSignature(file, header, raw.signed, signature, keyLookup);
    return { raw, header, signature, start };
  } finally {
    await fh.close();
  }
}

/**
 * Records and content of one physical packet, in written order. A blob's stream must be read
 * to its end (or abandoned) before asking for the next entry; abandoned content is read and
 * checked anyway. With keyLookup the signature is checked before the first entry.
 */
export async function* readPacketEntries(file: string, keyLookup?: HostKeyLookup): AsyncGenerator<PacketEntry> {
  const opened = await openPacket(file, keyLookup);
  yield* readBody(file, opened);
}

export async function* readBody(file: string, opened: OpenedPacket): AsyncGenerator<PacketEntry> {
  const { header, start } = opened;
  // A gzip body (minor 2) can inflate without bound: content from one that was altered would be
  // handed over, and staged, by the gigabyte before its checksum failed. Its checksum is checked
  // first (these packets are the old format: the extra pass is theirs alone).
  if (header.body.compression === 'gzip') {
    const sum = await hashBody(file, start, header.body.length);
    if (sum !== header.body.sha256) throw checksumError(file, header.body.sha256, sum);
  }
  const raw = new RawBody(file, start, header.body.length, header.body.sha256);
  const source: AsyncIterator<Buffer> =
    header.body.compression === 'gzip' ? gunzipped(raw.chunks()) : raw.chunks();
  const reader = new ChunkReader(source);
  const checks = new CheckQueue();
  try {
    let records = 0;
    let blobs = 0;
    for (;;) {
      const type = (await reader.take(1, 'a frame'))[0];
      if (type === FRAME_END) break;
      if (type === FRAME_RECORD) {
        records++;
        if (records > header.body.records) throw new BodyError(`it has more records than the ${header.body.records} its header lists`);
        const length = (await reader.take(4, 'a record length')).readUInt32BE(0);
        if (length > MAX_RECORD_BYTES) throw new BodyError(`record ${records} declares ${length} bytes, over the limit of ${MAX_RECORD_BYTES}`);
        const json = await reader.take(length, `record ${records}`);
        yield { type: 'record', record: parseRecord(json, records) };
        continue;
      }
      if (type === FRAME_DEFLATED_RECORDS) {
        const head = await reader.take(8, 'a deflated records header');
        const rawBytes = head.readUInt32BE(0);
        const storedBytes = head.readUInt32BE(4);
        if (rawBytes > MAX_DEFLATED_RECORDS_BYTES) throw new BodyError(`a group of records declares ${rawBytes} bytes, over the limit of ${MAX_DEFLATED_RECORDS_BYTES}`);
        if (storedBytes > deflateBound(rawBytes)) throw new BodyError(`a group of records declares ${storedBytes} deflated bytes for ${rawBytes} bytes of records`);
        const frames = inflateExactly(await reader.take(storedBytes, 'a group of records'), rawBytes, 'a group of records');
        for (let at = 0; at < frames.length; ) {
          if (frames[at] !== FRAME_RECORD || at + RECORD_FRAME_OVERHEAD > frames.length) throw new BodyError('a group of records holds something other than records');
          const length = frames.readUInt32BE(at + 1);
          if (at + RECORD_FRAME_OVERHEAD + length > frames.length) throw new BodyError('a group of records ends inside a record');
          records++;
          if (records > header.body.records) throw new BodyError(`it has more records than the ${header.body.records} its header lists`);
          yield { type: 'record', record: parseRecord(frames.subarray(at + RECORD_FRAME_OVERHEAD, at + RECORD_FRAME_OVERHEAD + length), records) };
          at += RECORD_FRAME_OVERHEAD + length;
        }
        continue;
      }
      if (type === FRAME_BLOB || type === FRAME_DEFLATED_BLOB) {
        const deflated = type === FRAME_DEFLATED_BLOB;
        blobs++;
        if (blobs > header.body.blobs) throw new BodyError(`it has more content blobs than the ${header.body.blobs} its header lists`);
        const head = await reader.take(deflated ? 48 : 40, 'a content blob header');
        const hash = head.toString('hex', 0, 32);
        const n = safeLength(head.readBigUInt64BE(32), blobs);
        const stored = deflated ? safeLength(head.readBigUInt64BE(40), blobs) : n;
        if (deflated && (n === 0 || stored > deflateBound(n))) throw new BodyError(`content blob ${blobs} declares ${stored} deflated bytes for ${n} bytes of content`);
        if (header.body.compression !== 'gzip' && stored > raw.remaining + reader.buffered) {
          throw new BodyError(`content blob ${blobs} declares ${stored} bytes but the body has only ${raw.remaining + reader.buffered} left`);
        }
        // Built from literals, not spread: see parseOpRecord on V8's hidden classes.
        const entry = deflated ? { type: 'blob' as const, hash, size: n, deflated: { bytes: stored } } : { type: 'blob' as const, hash, size: n };
        if (n <= WHOLE_BYTES) {
          const data = await reader.take(stored, `content blob ${blobs}`);
          if (!deflated) checkContent(data, hash, blobs);
          else if (stored < INFLATE_AWAY_FROM_BYTES) checkContent(inflateExactly(data, n, `content blob ${blobs}`), hash, blobs);
          else await checks.add(inflateAndCheck(data, n, hash, blobs));
          yield Object.assign(entry, { data });
          continue;
        }
        const blob = new BlobCursor(file, reader, hash, n, stored, deflated, blobs);
        yield Object.assign(entry, { stream: blob.stream });
        await blob.finish();
        continue;
      }
      throw new BodyError(`unknown frame type 0x${type.toString(16).padStart(2, '0')}`);
    }
    await checks.drain();
    if (records !== header.body.records || blobs !== header.body.blobs) {
      throw new BodyError(`it has ${records} records and ${blobs} content blobs, its header lists ${header.body.records} and ${header.body.blobs}`);
    }
    if (await reader.more()) throw new BodyError('data follows the end of the body');
    await raw.check();
  } catch (e) {
    throw await explain(file, opened, e);
  } finally {
    checks.abandon();
    reader.close();
    raw.close();
  }
}

/** The first symptom of a damaged body is rarely its cause: prefer the checksum verdict. */
async function explain(file: string, opened: OpenedPacket, e: unknown): Promise<unknown> {
  if (e instanceof PacketError) return e;
  const sum = await hashBody(file, opened.start, opened.header.body.length).catch(() => undefined);
  if (sum !== undefined && sum !== opened.header.body.sha256) return checksumError(file, opened.header.body.sha256, sum);
  if (e instanceof BodyError) return new PacketIntegrityError(file, `its body is malformed: ${e.message}`);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) return new PacketIntegrityError(file, `its compressed body cannot be decompressed (${(e as Error).message})`);
  return e;
}

function checksumError(file: string, want: string, got: string): PacketIntegrityError {
  return new PacketIntegrityError(file, `its body checksum does not match its header (sha256 ${got.slice(0, 16)}..., header says ${want.slice(0, 16)}...)`);
}

export async function hashBody(file: string, start: number, length: number): Promise<string> {
  const h = bodyHash(length);
  try {
    if (length > 0) {
      for await (const chunk of fs.createReadStream(file, { start, end: start + length - 1, highWaterMark: BODY_BLOCK_BYTES })) h.update(chunk as Buffer);
    }
    return await h.digest();
  } finally {
    h.close();
  }
}

/** A malformed body, before the checksum has had its say. */
class BodyError extends Error {}

function safeLength(v: bigint, n: number): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new BodyError(`content blob ${n} declares ${v} bytes`);
  return Number(v);
}

function checkContent(content: Buffer, hash: string, n: number): void {
  if (crypto.createHash('sha256').update(content).digest('hex') !== hash) throw new BodyError(`content blob ${n} does not match its hash ${hash.slice(0, 16)}...`);
}

/**
 * Deflated content at least this large is inflated on the thread pool; smaller content in place,
 * where it takes less time than handing it over (zlib's asynchronous path costs tens of
 * microseconds of main-thread time per call).
 */
const INFLATE_AWAY_FROM_BYTES = 32 * 1024;

const inflateRawAsync = promisify(zlib.inflateRaw) as (b: Buffer, o: zlib.ZlibOptions) => Promise<Buffer>;

/**
 * Deflated content checked on the thread pool (inflated with the same cap as inflateExactly)
 * while the main thread reads on: inflating a 200 MB history one version at a time on the main
 * thread took as long as the rest of the import.
 */
async function inflateAndCheck(data: Buffer, size: number, hash: string, n: number): Promise<void> {
  let result: Inflated;
  try {
    result = (await inflateRawAsync(data, { maxOutputLength: Math.max(1, size), chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, size), info: true } as zlib.ZlibOptions)) as unknown as Inflated;
  } catch (e) {
    throw new BodyError(`content blob ${n} is damaged: ${inflateFailure(e, size)}`);
  }
  checkInflated(result.buffer.length, result.engine.bytesWritten, data.length, size, `content blob ${n}`);
  checkContent(result.buffer, hash, n);
}

/**
 * Content checks running on the thread pool, a few at a time (memory stays a few megabytes),
 * all finished before the body is declared good: nothing from the packet is applied before.
 */
class CheckQueue {
  private readonly running: Promise<void>[] = [];

  constructor(private readonly limit = 8) {}

  async add(check: Promise<void>): Promise<void> {
    check.catch(() => undefined);
    this.running.push(check);
    if (this.running.length >= this.limit) await this.running.shift();
  }

  async drain(): Promise<void> {
    while (this.running.length > 0) await this.running.shift();
  }

  /** The body failed elsewhere: checks still running are left to finish unobserved. */
  abandon(): void {
    this.running.length = 0;
  }
}

/** Raw deflate data that must inflate to exactly `size` bytes: never more is produced (a bomb stops there). */
function inflateExactly(data: Buffer, size: number, what: string): Buffer {
  let result: Inflated;
  try {
    result = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, size), chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, Math.min(size, 1024 * 1024)), info: true } as zlib.ZlibOptions) as unknown as Inflated;
  } catch (e) {
    throw new BodyError(`${what} is damaged: ${inflateFailure(e, size)}`);
  }
  checkInflated(result.buffer.length, result.engine.bytesWritten, data.length, size, what);
  return result.buffer;
}

/** What zlib's convenience methods give with `info: true`: the output and the engine, which counts the input it consumed. */
interface Inflated {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

function inflateFailure(e: unknown, size: number): string {
  return e instanceof RangeError ? `it inflates to more than ${size} bytes` : `it cannot be inflated (${(e as Error).message})`;
}

/**
 * Inflated to exactly the declared size, from exactly the bytes given: zlib stops at the end of
 * the deflate data and ignores what follows, which a receiver would otherwise keep and forward.
 */
function checkInflated(produced: number, consumed: number, given: number, size: number, what: string): void {
  if (produced !== size) throw new BodyError(`${what} inflates to ${produced} bytes, not ${size}`);
  if (consumed !== given) throw new BodyError(`${what} is damaged: ${given - consumed} bytes follow the end of its deflated data`);
}

function parseRecord(json: Buffer, n: number): PacketRecord {
  let v: unknown;
  try {
    v = JSON.parse(json.toString('utf8'));
  } catch (e) {
    throw new BodyError(`record ${n} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as { kind?: unknown }).kind !== 'string') {
    throw new BodyError(`record ${n} is not an object with a "kind"`);
  }
  const r = v as PacketRecord;
  if (r.origin !== undefined && typeof r.origin !== 'string') throw new BodyError(`record ${n} has an "origin" that is not a string`);
  if (r.id !== undefined && !(typeof r.id === 'number' && Number.isSafeInteger(r.id) && r.id >= 0)) throw new BodyError(`record ${n} has an invalid oplog id`);
  return r;
}

/** The raw body bytes, digested as they are read; exactly `length` bytes or an error. */
class RawBody {
  private readonly hash: BodyHash;
  private read = 0;
  private stream: fs.ReadStream | undefined;

  constructor(
    private readonly file: string,
    private readonly start: number,
    private readonly length: number,
    private readonly want: string,
  ) {
    this.hash = bodyHash(length);
  }

  close(): void {
    this.hash.close();
  }

  get remaining(): number {
    return this.length - this.read;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    if (this.length === 0) return;
    this.stream = fs.createReadStream(this.file, { start: this.start, end: this.start + this.length - 1, highWaterMark: BODY_BLOCK_BYTES });
    for await (const chunk of this.stream) {
      const b = chunk as Buffer;
      this.hash.update(b);
      this.read += b.length;
      yield b;
    }
  }

  async check(): Promise<void> {
    if (this.read !== this.length) throw new PacketIntegrityError(this.file, `the body ended after ${this.read} of ${this.length} bytes`);
    const got = await this.hash.digest();
    if (got !== this.want) throw checksumError(this.file, this.want, got);
  }
}

function gunzipped(raw: AsyncIterator<Buffer>): AsyncIterator<Buffer> {
  // Large output chunks: with the default 16 KB every chunk is a trip from the thread pool to the main thread.
  const gunzip = zlib.createGunzip({ chunkSize: READ_CHUNK });
  const src = Readable.from({ [Symbol.asyncIterator]: () => raw });
  // pipeline tears the file stream down with the gunzip stream, whichever side stops first.
  pipeline(src, gunzip, () => undefined);
  return gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
}

/** Pulls exact byte counts from a chunk iterator without ever holding more than one chunk extra. */
class ChunkReader {
  private chunks: Buffer[] = [];
  private offset = 0;
  buffered = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.source.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    if (r.value.length > 0) {
      this.chunks.push(r.value);
      this.buffered += r.value.length;
    }
    return true;
  }

  async take(n: number, what: string): Promise<Buffer> {
    while (this.buffered < n) {
      if (!(await this.pull())) throw new BodyError(`it ends inside ${what}`);
    }
    return this.takeBuffered(n);
  }

  /** Up to `max` bytes (at least one), or undefined at the end of the data. */
  async some(max: number): Promise<Buffer | undefined> {
    while (this.buffered === 0) {
      if (!(await this.pull())) return undefined;
    }
    return this.takeBuffered(Math.min(max, this.chunks[0].length - this.offset));
  }

  async more(): Promise<boolean> {
    while (this.buffered === 0) {
      if (!(await this.pull())) return false;
    }
    return true;
  }

  close(): void {
    void this.source.return?.();
  }

  private takeBuffered(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const k = Math.min(n - filled, c.length - this.offset);
      c.copy(out, filled, this.offset, this.offset + k);
      filled += k;
      this.offset += k;
      this.advance(k);
    }
    return out;
  }

  private advance(n: number): void {
    this.buffered -= n;
    if (this.chunks.length > 0 && this.offset === this.chunks[0].length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}

/**
 * One content blob as a Readable. Reads are serialised with the generator's own draining, so
 * an abandoned stream and the next entry never pull bytes at the same time.
 */
class BlobCursor {
  readonly stream: Readable;
  private left: number;
  private readonly hash = crypto.createHash('sha256');
  private readonly inflate: InflateCheck | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly reader: ChunkReader,
    private readonly want: string,
    private readonly size: number,
    stored: number,
    deflated: boolean,
    private readonly n: number,
  ) {
    this.left = stored;
    this.inflate = deflated ? new InflateCheck(size, `content blob ${n}`) : undefined;
    this.stream = new Readable({
      highWaterMark: READ_CHUNK,
      read: () => {
        this.serial(async () => {
          if (this.ended) return;
          const b = await this.next();
          if (b) this.stream.push(b);
          else {
            this.ended = true;
            if (this.failure) this.fail(this.failure);
            else this.stream.push(null);
          }
        }).catch((e: unknown) => this.fail(e));
      },
    });
  }

  /** An 'error' event nobody listens to would crash the process: a reader that left gets a plain close. */
  private fail(e: unknown): void {
    if (this.stream.listenerCount('error') > 0) this.stream.destroy(this.forStream(e));
    else this.stream.destroy();
  }

  /** Whoever reads the stream gets a packet error it can report, not an internal one. */
  private forStream(e: unknown): Error {
    if (e instanceof BodyError) return new PacketIntegrityError(this.file, `its body is malformed: ${e.message}`);
    return e instanceof Error ? e : new Error(String(e));
  }

  /** Called when the caller asks for the next entry: drain what it left, then check the hash. */
  async finish(): Promise<void> {
    await this.serial(async () => {
      let abandoned = false;
      while (await this.next()) abandoned = true;
      if (abandoned && !this.stream.destroyed) {
        this.ended = true;
        this.fail(new PacketIntegrityError(this.file, `content blob ${this.n} was not read to its end before the next entry was requested`));
      }
    });
    if (this.failure) throw this.failure;
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const p = this.lock.then(f);
    this.lock = p.catch(() => undefined);
    return p;
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.left === 0) {
      await this.verify();
      return undefined;
    }
    const b = await this.reader.some(Math.min(this.left, READ_CHUNK));
    if (!b) throw new BodyError(`it ends inside content blob ${this.n} (${this.left} bytes missing)`);
    this.left -= b.length;
    if (this.inflate) await this.inflate.write(b, this.hash);
    else this.hash.update(b);
    return b;
  }

  private verified = false;
  private async verify(): Promise<void> {
    if (this.verified) return;
    this.verified = true;
    try {
      if (this.inflate) await this.inflate.end(this.size);
    } catch (e) {
      this.failure = e instanceof BodyError ? e : new BodyError(`content blob ${this.n} cannot be inflated (${(e as Error).message})`);
      return;
    }
    const got = this.hash.digest('hex');
    if (got !== this.want) this.failure = new BodyError(`content blob ${this.n} does not match its hash ${this.want.slice(0, 16)}...`);
  }
}

/**
 * Large deflated content checked as it streams: inflated on the thread pool, the output hashed
 * and counted (never more than the declared size is produced), then dropped; the deflated
 * bytes are what the caller keeps.
 */
class InflateCheck {
  private readonly inflater = zlib.createInflateRaw({ chunkSize: READ_CHUNK });
  private produced = 0;
  /** Deflated bytes handed to the inflater. */
  private given = 0;
  private error: Error | undefined;
  private hash: crypto.Hash | undefined;

  constructor(private readonly size: number, private readonly what: string) {
    this.inflater.on('data', (b: Buffer) => {
      this.produced += b.length;
      if (this.produced > this.size) {
        this.error ??= new BodyError(`${this.what} is damaged: it inflates to more than ${this.size} bytes`);
        this.inflater.destroy();
        return;
      }
      this.hash?.update(b);
    });
    // Said of the content, not of the body: a minor 3 body is not compressed as a whole.
    this.inflater.on('error', (e: Error) => (this.error ??= new BodyError(`${this.what} is damaged: it cannot be inflated (${e.message})`)));
  }

  async write(b: Buffer, hash: crypto.Hash): Promise<void> {
    this.hash = hash;
    if (this.error) throw this.error;
    this.given += b.length;
    if (!this.inflater.write(b)) await firstOf(this.inflater, ['drain', 'close', 'error']);
    if (this.error) throw this.error;
  }

  async end(size: number): Promise<void> {
    if (this.error) throw this.error;
    this.inflater.end();
    await firstOf(this.inflater, ['end', 'close', 'error']);
    if (this.error) throw this.error;
    checkInflated(this.produced, this.inflater.bytesWritten, this.given, size, this.what);
  }
}

/** Resolves at the first of these events, leaving no listener behind (a large blob waits many times). */
function firstOf(emitter: NodeJS.EventEmitter, events: string[]): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      for (const e of events) emitter.off(e, done);
      resolve();
    };
    for (const e of events) emitter.on(e, done);
  });
}
