import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { GZIP_MEMBER_BYTES, ParallelGzip } from './compress';
import { PacketWriteError } from './errors';
import { END_FRAME_BYTES, FRAME_END, SHA256_HEX, bodyOffset, encodeBlobFrameHead, encodePrefix, encodeRecordFrame } from './format';
import { checkFileName, fragmentNames, generatedName } from './names';
import { signHeader } from './sign';
import { encodeUnit, physicalBound, planFragments, type EncodedUnit, type FragmentPlan } from './split';
import {
  PACKET_MAJOR_VERSION,
  PACKET_MINOR_VERSION,
  type BlobSource,
  type PacketHeader,
  type PacketOplogRange,
  type PacketUnit,
  type PacketWriteOptions,
  type WrittenPacket,
} from './types';

/**
 * Writes one logical packet as one or more physical packets. Fragments are planned from unit
 * sizes first; each is then streamed once: the body goes after a header area reserved at its
 * largest possible size, and the header (padded with spaces to that size) is written last,
 * once the body's length and sha256 are known. All fragments are written under temporary
 * names and only then linked to their final names, so a crash never leaves a half-written
 * file under a packet name.
 */

/** Widest number a header may hold: reserving room for it bounds the header before the body exists. */
const WIDE = Number.MAX_SAFE_INTEGER;
const WIDE_HASH = 'f'.repeat(64);
const FLUSH_BYTES = 1024 * 1024;

export async function writePacket(opts: PacketWriteOptions, units: readonly PacketUnit[]): Promise<WrittenPacket[]> {
  if (opts.fileName !== undefined) checkFileName(opts.fileName);
  if (opts.maxBytes !== undefined && !(Number.isSafeInteger(opts.maxBytes) && opts.maxBytes > 0)) {
    throw new PacketWriteError(path.join(opts.dir, opts.fileName ?? ''), `invalid maximum size ${opts.maxBytes}`);
  }
  const encoded = units.map((u) => {
    for (const b of u.blobs) checkBlob(opts, b);
    return encodeUnit(u);
  });
  const createdAt = new Date();
  const base: Omit<PacketHeader, 'fragment' | 'ranges' | 'body'> = {
    major: PACKET_MAJOR_VERSION,
    minor: PACKET_MINOR_VERSION,
    kind: opts.kind,
    packetId: crypto.randomUUID(),
    sequence: opts.header.sequence,
    familyOid: opts.header.familyOid,
    vobTag: opts.header.vobTag,
    comment: opts.header.comment,
    origin: { name: opts.header.origin.name, oid: opts.header.origin.oid },
    sendingHost: opts.header.sendingHost,
    createdAt: createdAt.toISOString(),
    targets: opts.header.targets.map((t) => ({ name: t.name, oid: t.oid, host: t.host, vobTag: t.vobTag, incarnation: t.incarnation })),
    senderRow: { ...opts.header.senderRow },
  };
  const replicaInfo = replicaLookup(opts);
  const compression = opts.compress ? 'gzip' : 'none';
  const wideBody = { length: WIDE, sha256: WIDE_HASH, compression, records: WIDE, blobs: WIDE } as const;
  const baseBound = Buffer.byteLength(JSON.stringify(assemble(base, { index: WIDE, count: WIDE }, [], wideBody)));
  const rangeBound = new Map<string, number>();
  const headerBound = (origins: ReadonlySet<string>): number => {
    let n = baseBound;
    for (const o of origins) {
      let r = rangeBound.get(o);
      if (r === undefined) {
        const info = replicaInfo(o);
        r = Buffer.byteLength(JSON.stringify({ name: info.name, oid: o, firstOplogId: WIDE, lastOplogId: WIDE, incarnation: WIDE })) + 1;
        rangeBound.set(o, r);
      }
      n += r;
    }
    return n;
  };
  if (opts.maxBytes !== undefined) {
    const least = physicalBound(END_FRAME_BYTES, headerBound(new Set()), opts.compress);
    if (opts.maxBytes < least) {
      throw new PacketWriteError(path.join(opts.dir, opts.fileName ?? ''), `the maximum size of ${opts.maxBytes} bytes is smaller than the packet's own header and signature (${least} bytes); use a larger -maxsize`);
    }
  }
  const plans = planFragments(encoded, { maxBytes: opts.maxBytes, compress: opts.compress, headerBound });
  const names = opts.fileName !== undefined ? fragmentNames(opts.fileName, plans.length) : plans.map(() => generatedName(opts.kind, opts.header.origin.name, createdAt));

  await sweepStaleTemps(opts.dir);
  const temps: string[] = [];
  const written: WrittenPacket[] = [];
  try {
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i];
      const finalPath = path.join(opts.dir, names[i]);
      const temp = path.join(opts.dir, `.${names[i]}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
      temps.push(temp);
      const ranges = rangesOf(plan.units, replicaInfo);
      const origins = new Set(ranges.map((r) => r.oid));
      const reserved = headerBound(origins);
      const { header, bytes } = await writeFragment(temp, finalPath, reserved, plan, opts, (body) =>
        assemble(base, { index: i + 1, count: plans.length }, ranges, body),
      );
      // Warned from the size written: a compressed unit planned as too large may still fit.
      if (plan.oversized && opts.maxBytes !== undefined && bytes > opts.maxBytes) {
        opts.onWarning?.(`Packet ${finalPath} is larger than the maximum size of ${opts.maxBytes} bytes: it carries one change of ${plan.units[0].bytes} bytes, which is never divided between packets.`);
      }
      written.push({ path: finalPath, header, bytes });
    }
    for (let i = 0; i < written.length; i++) {
      written[i].path = await publish(temps[i], opts.dir, names[i], opts.fileName === undefined, (n) => (names[i] = n));
      temps[i] = '';
    }
    await syncDir(opts.dir);
    return written;
  } catch (e) {
    for (const t of temps) if (t) await fs.promises.rm(t, { force: true });
    throw e;
  }
}

/** Key order here is the order on disk; the bound and the real header share it, so the bound holds. */
function assemble(
  base: Omit<PacketHeader, 'fragment' | 'ranges' | 'body'>,
  fragment: PacketHeader['fragment'],
  ranges: PacketOplogRange[],
  body: PacketHeader['body'],
): PacketHeader {
  return {
    major: base.major,
    minor: base.minor,
    kind: base.kind,
    packetId: base.packetId,
    fragment,
    sequence: base.sequence,
    familyOid: base.familyOid,
    vobTag: base.vobTag,
    comment: base.comment,
    origin: base.origin,
    sendingHost: base.sendingHost,
    createdAt: base.createdAt,
    targets: base.targets,
    ranges,
    senderRow: base.senderRow,
    body,
  };
}

type ReplicaInfo = (oid: string) => { name: string; incarnation: number };

function replicaLookup(opts: PacketWriteOptions): ReplicaInfo {
  const known = new Map<string, { name: string; incarnation: number }>();
  known.set(opts.header.origin.oid, { name: opts.header.origin.name, incarnation: 0 });
  for (const t of opts.header.targets) known.set(t.oid, { name: t.name, incarnation: t.incarnation });
  for (const r of opts.replicas ?? []) known.set(r.oid, { name: r.name, incarnation: r.incarnation });
  // An origin nobody named is still listed, by its oid, as the original does.
  return (oid) => known.get(oid) ?? { name: oid, incarnation: 0 };
}

function rangesOf(units: readonly EncodedUnit[], info: ReplicaInfo): PacketOplogRange[] {
  const byOrigin = new Map<string, PacketOplogRange>();
  for (const u of units) {
    for (const r of u.unit.records) {
      if (typeof r.origin !== 'string' || typeof r.id !== 'number') continue;
      const cur = byOrigin.get(r.origin);
      if (!cur) {
        const i = info(r.origin);
        byOrigin.set(r.origin, { name: i.name, oid: r.origin, firstOplogId: r.id, lastOplogId: r.id, incarnation: i.incarnation });
      } else {
        cur.firstOplogId = Math.min(cur.firstOplogId, r.id);
        cur.lastOplogId = Math.max(cur.lastOplogId, r.id);
      }
    }
  }
  return [...byOrigin.values()];
}

function checkBlob(opts: PacketWriteOptions, b: BlobSource): void {
  if (!SHA256_HEX.test(b.hash)) throw new PacketWriteError(opts.dir, `content hash "${b.hash}" is not a sha256 hex digest`);
  if (!Number.isSafeInteger(b.size) || b.size < 0) throw new PacketWriteError(opts.dir, `content ${b.hash} has an invalid size ${b.size}`);
}

async function writeFragment(
  temp: string,
  finalPath: string,
  reserved: number,
  plan: FragmentPlan,
  opts: PacketWriteOptions,
  makeHeader: (body: PacketHeader['body']) => PacketHeader,
): Promise<{ header: PacketHeader; bytes: number }> {
  const fh = await fs.promises.open(temp, 'wx');
  try {
    const start = bodyOffset(reserved);
    const sink = new FileSink(fh, start);
    const counts = { records: 0, blobs: 0 };
    const frames = (): AsyncGenerator<Buffer> => frameBlocks(finalPath, plan, counts);
    if (opts.compress) await pipeline(Readable.from(frames()), new ParallelGzip(), sink);
    else await pipeline(Readable.from(frames()), sink);
    const header = makeHeader({ length: sink.length, sha256: sink.digest(), compression: opts.compress ? 'gzip' : 'none', records: counts.records, blobs: counts.blobs });
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    if (json.length > reserved) throw new Error(`packet header of ${json.length} bytes exceeds its reserved ${reserved} bytes`);
    // JSON allows trailing white space: padding keeps the body where it was written.
    const signed = Buffer.concat([encodePrefix(reserved), json, Buffer.alloc(reserved - json.length, 0x20)]);
    const signature = signHeader(signed, opts.signer.privateKey);
    await fh.writev([signed, signature], 0);
    await fh.sync();
    const bytes = start + sink.length;
    if (!plan.oversized && opts.maxBytes !== undefined && bytes > opts.maxBytes) {
      throw new Error(`fragment of ${bytes} bytes exceeds the planned maximum of ${opts.maxBytes}`);
    }
    return { header, bytes };
  } finally {
    await fh.close();
  }
}

/**
 * The body's frames gathered into blocks of BLOCK bytes before they enter the stream pipeline:
 * a history is mostly small versions, and passing each piece through the pipeline on its own
 * cost more than copying it. Content whose source reads positionally is read straight into the
 * block (no stream, no copy); other content streams and is copied in, large pieces passing
 * through as they are. A block is as large as a gzip member, so -compress takes it whole.
 */
const BLOCK = GZIP_MEMBER_BYTES;

async function* frameBlocks(packet: string, plan: FragmentPlan, counts: { records: number; blobs: number }): AsyncGenerator<Buffer> {
  let block = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  // What was yielded stays referenced downstream: start a new block rather than reuse it.
  function* full(): Generator<Buffer> {
    if (used === 0) return;
    yield block.subarray(0, used);
    block = Buffer.allocUnsafe(BLOCK);
    used = 0;
  }
  function* put(piece: Buffer): Generator<Buffer> {
    if (piece.length >= BLOCK / 4) {
      yield* full();
      yield piece;
      return;
    }
    if (used + piece.length > BLOCK) yield* full();
    piece.copy(block, used);
    used += piece.length;
  }
  const ahead = new BlobPrefetch(plan.units.flatMap((u) => u.unit.blobs.filter((b) => !b.readSync)));
  try {
    for (const u of plan.units) {
      // Blobs first: an entry's content is in place before the record that refers to it.
      for (const b of u.unit.blobs) {
        counts.blobs++;
        yield* put(encodeBlobFrameHead(b.hash, b.size));
        if (b.readSync) {
          const hash = b.trusted ? undefined : crypto.createHash('sha256');
          for (let done = 0; done < b.size; ) {
            if (used === BLOCK) yield* full();
            const n = b.readSync(block, used, Math.min(BLOCK - used, b.size - done), done);
            if (n <= 0) throw changedError(packet, b, `read ${done}`);
            hash?.update(block.subarray(used, used + n));
            used += n;
            done += n;
          }
          if (hash && hash.digest('hex') !== b.hash) throw changedError(packet, b, 'read different bytes');
        } else {
          for await (const piece of blobBytes(packet, b, ahead.next())) yield* put(piece);
        }
      }
      for (const json of u.records) {
        counts.records++;
        yield* put(encodeRecordFrame(json));
      }
    }
    yield* put(Buffer.from([FRAME_END]));
    yield* full();
  } finally {
    ahead.close();
  }
}

function changedError(packet: string, b: BlobSource, what: string): PacketWriteError {
  return new PacketWriteError(packet, `content ${b.hash} changed while it was being exported (expected ${b.size} bytes, ${what})`);
}

/**
 * Opens the next few blobs' streams ahead of the one being copied, so opening and the first
 * read of each overlap with copying: a history is thousands of small versions, and waiting
 * for each open in turn left the export idle much of the time.
 */
const PREFETCH = 4;

class BlobPrefetch {
  private readonly opened: Readable[] = [];
  private nextIndex = 0;

  constructor(private readonly blobs: readonly BlobSource[]) {}

  next(): Readable {
    while (this.opened.length < PREFETCH + 1 && this.nextIndex < this.blobs.length) {
      const s = this.blobs[this.nextIndex++].open();
      // An error before the copy reaches this stream is kept on the stream (stream.errored)
      // and thrown by the copy; without a listener it would crash the process instead.
      s.on('error', () => undefined);
      this.opened.push(s);
    }
    const s = this.opened.shift();
    if (!s) throw new Error('more blobs requested than planned');
    return s;
  }

  close(): void {
    for (const s of this.opened.splice(0)) s.destroy();
  }
}

/** A streamed blob's bytes, size always checked, hash checked unless the source is trusted. */
async function* blobBytes(packet: string, b: BlobSource, stream: Readable): AsyncGenerator<Buffer> {
  const hash = b.trusted ? undefined : crypto.createHash('sha256');
  let n = 0;
  if (stream.errored) throw stream.errored;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    n += buf.length;
    if (n > b.size) break;
    hash?.update(buf);
    yield buf;
  }
  if (n !== b.size) throw changedError(packet, b, `read ${n > b.size ? 'more' : n}`);
  if (hash && hash.digest('hex') !== b.hash) throw changedError(packet, b, 'read different bytes');
}

/** Positional writes after the reserved header area, coalesced, hashing what lands on disk. */
class FileSink extends Writable {
  length = 0;
  private readonly hash = crypto.createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly fh: fs.promises.FileHandle, private position: number) {
    super({ highWaterMark: FLUSH_BYTES });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.hash.update(chunk);
    this.length += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < FLUSH_BYTES) return cb();
    this.flush().then(() => cb(), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.flush()
      .then(() => this.syncing)
      .then(() => cb(), cb);
  }

  /**
   * Written data starts going to disk while the rest is produced, so the fsync that makes the
   * packet durable (writeFragment) finds little left to write. Only an early start: that fsync
   * still happens, after everything is written.
   */
  private syncing: Promise<void> = Promise.resolve();
  private unsynced = 0;
  private startSync(n: number): void {
    this.unsynced += n;
    if (this.unsynced < SYNC_AHEAD_BYTES) return;
    this.unsynced = 0;
    this.syncing = this.syncing.then(() => this.fh.datasync());
    this.syncing.catch(() => undefined);
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  private async flush(): Promise<void> {
    const bufs = this.pending;
    const n = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    let off = 0;
    while (off < n) {
      const { bytesWritten } = await this.fh.writev(off === 0 ? bufs : [Buffer.concat(bufs).subarray(off)], this.position + off);
      off += bytesWritten;
    }
    this.position += n;
    this.startSync(n);
  }
}

const SYNC_AHEAD_BYTES = 32 * 1024 * 1024;

/**
 * Gives a finished temp file its packet name without ever replacing an existing file: a hard
 * link fails if the name is taken. A generated name that is taken moves on to the next number.
 */
async function publish(temp: string, dir: string, name: string, generated: boolean, rename: (n: string) => void): Promise<string> {
  let current = name;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const target = path.join(dir, current);
    try {
      await fs.promises.link(temp, target);
      await fs.promises.unlink(temp);
      return target;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        if (!generated) throw new PacketWriteError(target, 'a file of that name already exists; remove it or choose another name');
        current = current.replace(/_(\d+)$/, (_m, n: string) => `_${Number(n) + 1000}`);
        rename(current);
        continue;
      }
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
        // File systems without hard links: a plain rename after checking the name is free.
        if (fs.existsSync(target)) throw new PacketWriteError(target, 'a file of that name already exists');
        await fs.promises.rename(temp, target);
        return target;
      }
      throw e;
    }
  }
  throw new PacketWriteError(path.join(dir, name), 'no free packet name was found');
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Temporary files left by a writer that was killed: removed when their process is gone, so a
 * crashed export leaves nothing behind once the next one runs. A live writer's files are kept.
 */
async function sweepStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    await fs.promises.rm(path.join(dir, name), { force: true });
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncDir(dir: string): Promise<void> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(dir, 'r');
    await fh.sync();
  } catch {
    // Directories cannot be opened for fsync on every platform; the file itself is synced.
  } finally {
    await fh?.close();
  }
}
