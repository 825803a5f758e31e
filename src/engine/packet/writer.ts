import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { BODY_BLOCK_BYTES, WORKER_FROM_BYTES, bodyHash, type BodyHash } from './bodyDigest';
import { PacketWriteError } from './errors';
import {
  BLOB_FRAME_OVERHEAD,
  DEFLATED_BLOB_FRAME_OVERHEAD,
  DEFLATED_RECORDS_FRAME_OVERHEAD,
  END_FRAME_BYTES,
  FRAME_END,
  SHA256_HEX,
  bodyOffset,
  encodeDeflatedRecordsFrameHead,
  encodePrefix,
  writeBlobFrameHead,
  FRAME_RECORD,
  MAX_DEFLATED_RECORDS_BYTES,
  RECORD_FRAME_OVERHEAD,
} from './format';
import { checkFileName, fragmentNames, generatedName } from './names';
import { signHeader } from './sign';
import { contentBytes, encodeRecord, encodeUnit, forEachContent, measureJson, physicalBound, type EncodedRecord } from './split';
import {
  PACKET_MAJOR_VERSION,
  PACKET_MINOR_VERSION,
  type BlobSource,
  type PacketHeader,
  type PacketOplogRange,
  OneEntryUnit,
  type PacketUnit,
  type PacketUnitSource,
  type PacketWriteOptions,
  type WrittenPacket,
} from './types';

/**
 * Writes one logical packet as one or more physical packets in one pass over the units: each
 * unit is written as it comes and then dropped, so an export of any length holds only the
 * unit being written and a few ahead (an export made them from its oplog as it went). A
 * fragment's body goes into its temporary file after a header area reserved at the header's
 * largest possible size; a unit that would take the fragment past -maxsize starts the next one.
 * Only at the end are the number of fragments (each header says "i of n") and their names
 * known: then each header is written, padded with spaces to its reserved size, each fragment
 * synced, and all linked to their final names, so a crash never leaves a half-written file
 * under a packet name.
 */

/** Widest number a header may hold: reserving room for it bounds the header before the body exists. */
const WIDE = Number.MAX_SAFE_INTEGER;
const WIDE_HASH = 'f'.repeat(64);
const END_FRAME = Buffer.from([FRAME_END]);

export async function writePacket(opts: PacketWriteOptions, units: PacketUnitSource): Promise<WrittenPacket[]> {
  if (opts.fileName !== undefined) checkFileName(opts.fileName);
  if (opts.maxBytes !== undefined && !(Number.isSafeInteger(opts.maxBytes) && opts.maxBytes > 0)) {
    throw new PacketWriteError(path.join(opts.dir, opts.fileName ?? ''), `invalid maximum size ${opts.maxBytes}`);
  }
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
  const bounds = new HeaderBounds(base, opts);
  if (opts.maxBytes !== undefined) {
    const least = physicalBound(END_FRAME_BYTES, bounds.reserve);
    if (opts.maxBytes < least) {
      throw new PacketWriteError(path.join(opts.dir, opts.fileName ?? ''), `the maximum size of ${opts.maxBytes} bytes is smaller than the packet's own header and signature (${least} bytes); use a larger -maxsize`);
    }
  }
  // A generated name is taken now, so that errors while writing name the packet's first file.
  const firstName = opts.fileName ?? generatedName(opts.kind, opts.header.origin.name, createdAt);

  await sweepStaleTemps(opts.dir);
  const temps = new Set<string>();
  // Fragments already given their names when a later one cannot be (its name is taken): removed,
  // so a failed export leaves no part of a logical packet behind.
  const published: string[] = [];
  let frags: FragmentFacts[] = [];
  try {
    frags = await writeBodies(opts, path.join(opts.dir, firstName), bounds, units, temps);
    const names = opts.fileName !== undefined ? fragmentNames(opts.fileName, frags.length) : frags.map((_, i) => (i === 0 ? firstName : generatedName(opts.kind, opts.header.origin.name, createdAt)));
    const written: WrittenPacket[] = [];
    for (let i = 0; i < frags.length; i++) {
      const f = frags[i];
      const finalPath = path.join(opts.dir, names[i]);
      const header = assemble(base, { index: i + 1, count: frags.length }, f.ranges, f.body);
      const bytes = await writeHeader(f, header, opts, path.join(opts.dir, firstName), temps);
      written.push({ path: finalPath, header, bytes });
    }
    for (let i = 0; i < written.length; i++) {
      written[i].path = await publish(frags[i].temp, opts.dir, names[i], opts.fileName === undefined, (n) => (names[i] = n));
      published.push(written[i].path);
      temps.delete(frags[i].temp);
    }
    await syncDir(opts.dir);
    // Warned once every fragment has its name: a failed export writes nothing and so warns of
    // nothing, and a generated name moved on by a clash is the one named. From the size
    // written: a compressed unit counted as too large may still fit.
    for (let i = 0; i < written.length; i++) {
      const f = frags[i];
      if (f.oversized && opts.maxBytes !== undefined && written[i].bytes > opts.maxBytes) opts.onWarning?.(oversizedWarning(written[i].path, opts.maxBytes, written[i].bytes, f.firstUnitBytes, f.reserved));
    }
    return written;
  } catch (e) {
    for (const f of frags) await f.fh?.close().catch(() => undefined);
    for (const t of temps) await fs.promises.rm(t, { force: true });
    for (const p of published) await fs.promises.rm(p, { force: true });
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

/**
 * Largest possible header sizes. Every fragment reserves room for a range of every origin the
 * units may carry (`origins`, else every replica the sender named: origin, targets, `replicas`),
 * since its body is written before anyone knows which origins it holds. An origin outside them
 * makes its fragment's header larger than reserved; the fragment then counts that larger size
 * against -maxsize and its body is moved when the header is written (writeHeader).
 */
class HeaderBounds {
  readonly info: ReplicaInfo;
  /** Origins whose ranges are inside `reserve`. */
  readonly covered: ReadonlySet<string>;
  /** Header bytes reserved in every fragment. */
  readonly reserve: number;
  private readonly baseBound: number;
  private readonly rangeBounds = new Map<string, number>();

  constructor(base: Omit<PacketHeader, 'fragment' | 'ranges' | 'body'>, opts: PacketWriteOptions) {
    const known = new Map<string, { name: string; incarnation: number }>();
    known.set(opts.header.origin.oid, { name: opts.header.origin.name, incarnation: 0 });
    for (const t of opts.header.targets) known.set(t.oid, { name: t.name, incarnation: t.incarnation });
    for (const r of opts.replicas ?? []) known.set(r.oid, { name: r.name, incarnation: r.incarnation });
    // An origin nobody named is still listed, by its oid, as the original does.
    this.info = (oid) => known.get(oid) ?? { name: oid, incarnation: 0 };
    this.covered = new Set(opts.origins ?? known.keys());
    const wideBody = { length: WIDE, sha256: WIDE_HASH, compression: opts.compress ? 'frames' : 'none', records: WIDE, blobs: WIDE } as const;
    this.baseBound = Buffer.byteLength(JSON.stringify(assemble(base, { index: WIDE, count: WIDE }, [], wideBody)));
    this.reserve = this.of(this.covered);
  }

  /** Header bytes at most for a fragment carrying ranges of these origins. */
  of(origins: Iterable<string>): number {
    let n = this.baseBound;
    for (const o of origins) {
      let r = this.rangeBounds.get(o);
      if (r === undefined) {
        const info = this.info(o);
        r = Buffer.byteLength(JSON.stringify({ name: info.name, oid: o, firstOplogId: WIDE, lastOplogId: WIDE, incarnation: WIDE })) + 1;
        this.rangeBounds.set(o, r);
      }
      n += r;
    }
    return n;
  }
}

/** What is kept of a fragment once its body is written, until its header is: no units. */
interface FragmentFacts {
  temp: string;
  /** Header area before the body. */
  reserved: number;
  ranges: PacketOplogRange[];
  body: PacketHeader['body'];
  /** One unit that alone exceeds -maxsize. */
  oversized: boolean;
  /** Body bytes of its first unit, counted with -maxsize (the only one when oversized). */
  firstUnitBytes: number;
  /** The last fragment's file, left open for its header. */
  fh: fs.promises.FileHandle | undefined;
}

/** The fragment being written: its file, body and what its header will say. */
class Fragment {
  readonly ranges = new Map<string, PacketOplogRange>();
  /** Consecutive entries mostly share an origin: its range is found without a lookup. */
  private lastRange: PacketOplogRange | undefined;
  records = 0;
  blobs = 0;
  units = 0;
  /** Body bytes at most, end frame included (counted with -maxsize only). */
  bytes = END_FRAME_BYTES;
  firstUnitBytes = 0;
  /** Header bytes this fragment may take: the reserved area, more once an origin it does not cover is in it. */
  need: number;
  readonly group: RecordGroup | undefined;
  private open = true;

  private constructor(
    readonly temp: string,
    private readonly fh: fs.promises.FileHandle,
    readonly reserved: number,
    readonly body: BodyWriter,
    compress: boolean,
    private readonly bounds: HeaderBounds,
  ) {
    this.need = reserved;
    this.group = compress ? new RecordGroup(body) : undefined;
  }

  /** `expectedBytes` tells the body's hasher roughly how large the body will be (bodyDigest.ts). */
  static async create(packet: string, bounds: HeaderBounds, expectedBytes: number, compress: boolean, temps: Set<string>): Promise<Fragment> {
    const temp = tempPath(packet);
    temps.add(temp);
    const fh = await fs.promises.open(temp, 'wx');
    let body: BodyWriter;
    try {
      body = new BodyWriter(fh, bodyOffset(bounds.reserve), expectedBytes);
    } catch (e) {
      await fh.close();
      throw e;
    }
    return new Fragment(temp, fh, bounds.reserve, body, compress, bounds);
  }

  /** Header bytes the fragment may take with a unit of these origins in it. */
  headerWith(origins: readonly string[]): number {
    let extra = false;
    for (const o of origins) if (!this.bounds.covered.has(o) && !this.ranges.has(o)) extra = true;
    return extra ? Math.max(this.need, this.bounds.of([...this.ranges.keys(), ...origins])) : this.need;
  }

  /** With -maxsize: whether a unit of `bytes` goes in, given the header bytes `header` with it. A first unit always does. */
  fits(bytes: number, header: number, maxBytes: number): boolean {
    return this.units === 0 || physicalBound(this.bytes + bytes, header) <= maxBytes;
  }

  count(bytes: number): void {
    if (this.units === 0) this.firstUnitBytes = bytes;
    this.units++;
    this.bytes += bytes;
  }

  addRange(origin: string, id: number): void {
    let r = this.lastRange;
    if (r === undefined || r.oid !== origin) {
      r = this.ranges.get(origin);
      if (r === undefined) {
        const i = this.bounds.info(origin);
        this.lastRange = { name: i.name, oid: origin, firstOplogId: id, lastOplogId: id, incarnation: i.incarnation };
        this.ranges.set(origin, this.lastRange);
        if (!this.bounds.covered.has(origin)) this.need = Math.max(this.need, this.bounds.of(this.ranges.keys()));
        return;
      }
      this.lastRange = r;
    }
    if (id < r.firstOplogId) r.firstOplogId = id;
    if (id > r.lastOplogId) r.lastOplogId = id;
  }

  /** Ends the body (end frame written, everything hashed); the file stays open if `keepOpen`. */
  async end(compress: boolean, maxBytes: number | undefined, keepOpen: boolean): Promise<FragmentFacts> {
    try {
      await this.group?.flush();
      await this.body.put(END_FRAME);
    } finally {
      await this.body.finish();
    }
    const sha256 = await this.body.digest();
    this.body.close();
    this.open = false;
    if (!keepOpen) await this.fh.close();
    return {
      temp: this.temp,
      reserved: this.reserved,
      ranges: [...this.ranges.values()],
      body: { length: this.body.length, sha256, compression: compress ? 'frames' : 'none', records: this.records, blobs: this.blobs },
      oversized: maxBytes !== undefined && this.units === 1 && physicalBound(this.bytes, this.need) > maxBytes,
      firstUnitBytes: this.firstUnitBytes,
      fh: keepOpen ? this.fh : undefined,
    };
  }

  /** After a failure: pending writes waited for (their errors are the failure's), the file closed. */
  async abandon(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.body.finish().catch(() => undefined);
    this.body.close();
    await this.fh.close().catch(() => undefined);
  }
}

function tempPath(packet: string): string {
  return path.join(path.dirname(packet), `.${path.basename(packet)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

/**
 * The bodies of every fragment, units taken from `source` as they are written. `packet` (the
 * first file's final path) names the packet in errors. Content frames come before their unit's
 * records; content kept deflated by its store is copied as it is (a 'D' frame), so neither plain
 * nor -compress exports spend time compressing what was compressed once at check-in. -compress
 * also deflates raw content and gathers the records into deflated 'Z' frames, each only when
 * that makes it smaller, so counting units at their size as stored holds against -maxsize.
 */
async function writeBodies(opts: PacketWriteOptions, packet: string, bounds: HeaderBounds, source: PacketUnitSource, temps: Set<string>): Promise<FragmentFacts[]> {
  const { compress, maxBytes } = opts;
  const ahead = new BlobPrefetch();
  const feed = new UnitFeed(source, ahead);
  const done: FragmentFacts[] = [];
  let frag: Fragment | undefined;
  const next = async (): Promise<Fragment> => {
    // The body's hasher needs to know whether the body is large; the look-ahead tells it.
    const cap = maxBytes ?? Infinity;
    const expected = cap < WORKER_FROM_BYTES ? cap : Math.min(cap, await feed.contentAhead(WORKER_FROM_BYTES));
    return Fragment.create(packet, bounds, expected, compress, temps);
  };
  try {
    frag = await next();
    for (;;) {
      if (feed.low) await feed.refill();
      const u = feed.shift();
      if (u === undefined) break;
      if (u instanceof OneEntryUnit) {
        // The usual unit, an oplog entry: its content and its record, with nothing made for them
        // unless -maxsize needs the record's size.
        const c = u.content;
        let measured: EncodedRecord | undefined;
        if (maxBytes !== undefined) {
          measured = measureJson(u.json);
          const bytes = (c ? contentBytes(c) : 0) + RECORD_FRAME_OVERHEAD + measured.bytes;
          const header = bounds.covered.has(u.origin) ? frag.need : frag.headerWith([u.origin]);
          if (!frag.fits(bytes, header, maxBytes)) {
            done.push(await frag.end(compress, maxBytes, false));
            frag = await next();
          }
          frag.count(bytes);
        }
        frag.addRange(u.origin, u.id);
        if (c) {
          frag.blobs++;
          await writeBlob(packet, c, frag.body, compress, ahead);
        }
        frag.records++;
        if (measured) {
          if (frag.group) await frag.group.add(measured);
          else await frag.body.putRecord(measured);
        } else if (frag.group) await frag.group.addJson(u.json);
        else await frag.body.putRecordJson(u.json);
        continue;
      }
      const encoded = maxBytes !== undefined ? encodeUnit(u) : undefined;
      if (encoded && maxBytes !== undefined) {
        if (!frag.fits(encoded.bytes, frag.headerWith(encoded.origins), maxBytes)) {
          done.push(await frag.end(compress, maxBytes, false));
          frag = await next();
        }
        frag.count(encoded.bytes);
      }
      for (const r of u.records) if (typeof r.origin === 'string' && typeof r.id === 'number') frag.addRange(r.origin, r.id);
      for (const b of u.blobs) {
        frag.blobs++;
        await writeBlob(packet, b, frag.body, compress, ahead);
      }
      for (const r of encoded?.records ?? u.records.map(encodeRecord)) {
        frag.records++;
        if (frag.group) await frag.group.add(r);
        else await frag.body.putRecord(r);
      }
    }
    done.push(await frag.end(compress, maxBytes, true));
    return done;
  } catch (e) {
    await frag?.abandon();
    for (const f of done) await f.fh?.close().catch(() => undefined);
    throw e;
  } finally {
    ahead.close();
    await feed.close();
  }
}

/** Units queued ahead of the one being written, at least, while the source has more. */
const QUEUED_UNITS = 64;
/**
 * Units looked ahead at most to learn whether a body will be large: past that it is taken to be.
 * Enough for a small history's whole export (lodash's 1,175 entries): at 1,024 such an export
 * started the hashing thread it did not need, 16 ms more of its 100.
 */
const LOOK_AHEAD_UNITS = 16 * 1024;

/**
 * Units from an array or an asynchronous source, a few queued ahead of the writer: BlobPrefetch
 * opens the streams of the content they carry, and a fragment's start looks further to learn
 * how large its body will be. A source may give units in batches (one per oplog line, say),
 * which saves a step of the iteration per unit.
 */
class UnitFeed {
  private readonly batches: Array<readonly PacketUnit[]> = [];
  /** Next unit in batches[0]. */
  private at = 0;
  private queued = 0;
  private done: boolean;
  private readonly it: AsyncIterator<PacketUnit | readonly PacketUnit[]> | undefined;

  constructor(source: PacketUnitSource, private readonly ahead: BlobPrefetch) {
    if (isUnitArray(source)) {
      this.done = true;
      this.it = undefined;
      this.enqueue(source);
    } else {
      this.done = false;
      this.it = source[Symbol.asyncIterator]();
    }
  }

  get low(): boolean {
    return this.queued < QUEUED_UNITS && !this.done;
  }

  async refill(): Promise<void> {
    while (this.queued < QUEUED_UNITS && !this.done) await this.pull();
  }

  shift(): PacketUnit | undefined {
    const b = this.batches[0];
    if (b === undefined) return undefined;
    const u = b[this.at++];
    if (this.at === b.length) {
      this.batches.shift();
      this.at = 0;
    }
    this.queued--;
    return u;
  }

  /** Content bytes of the units ahead, up to `limit` (also when LOOK_AHEAD_UNITS are queued first). */
  async contentAhead(limit: number): Promise<number> {
    let bytes = 0;
    const add = (b: BlobSource): void => {
      bytes += contentBytes(b);
    };
    for (let k = 0; ; k++) {
      while (k >= this.batches.length) {
        if (this.done) return bytes;
        if (this.queued >= LOOK_AHEAD_UNITS) return limit;
        await this.pull();
      }
      const batch = this.batches[k];
      for (let i = k === 0 ? this.at : 0; i < batch.length; i++) {
        forEachContent(batch[i], add);
        if (bytes >= limit) return limit;
      }
    }
  }

  /** Lets the source clean up (an oplog stream closed) when the writer stops early. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.it?.return?.();
  }

  private async pull(): Promise<void> {
    const it = this.it;
    if (!it) {
      this.done = true;
      return;
    }
    const n = await it.next();
    if (n.done) {
      this.done = true;
      return;
    }
    const v = n.value;
    this.enqueue(isUnitBatch(v) ? v : [v]);
  }

  private enqueue(batch: readonly PacketUnit[]): void {
    if (batch.length === 0) return;
    this.batches.push(batch);
    this.queued += batch.length;
    for (const u of batch) this.ahead.note(u);
  }
}

function isUnitArray(s: PacketUnitSource): s is readonly PacketUnit[] {
  return Array.isArray(s);
}

function isUnitBatch(v: PacketUnit | readonly PacketUnit[]): v is readonly PacketUnit[] {
  return Array.isArray(v);
}

function checkBlob(packet: string, b: BlobSource): void {
  // Content the sender's own store named is a hash it computed; anything else is checked.
  if (!b.trusted && !SHA256_HEX.test(b.hash)) throw new PacketWriteError(packet, `content hash "${b.hash}" is not a sha256 hex digest`);
  if (!Number.isSafeInteger(b.size) || b.size < 0) throw new PacketWriteError(packet, `content ${b.hash} has an invalid size ${b.size}`);
}

/**
 * A fragment's header, written into the area reserved before its body, signed; then the file
 * synced. Returns the fragment's size in bytes.
 */
async function writeHeader(f: FragmentFacts, header: PacketHeader, opts: PacketWriteOptions, packet: string, temps: Set<string>): Promise<number> {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  if (json.length > f.reserved) await moveBody(f, json.length, packet, temps);
  // JSON allows trailing white space: padding keeps the body where it was written.
  const signed = Buffer.concat([encodePrefix(f.reserved), json, Buffer.alloc(f.reserved - json.length, 0x20)]);
  const signature = signHeader(signed, opts.signer.privateKey);
  const fh = f.fh ?? (await fs.promises.open(f.temp, 'r+'));
  f.fh = undefined;
  try {
    await fh.writev([signed, signature], 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const bytes = bodyOffset(f.reserved) + f.body.length;
  if (!f.oversized && opts.maxBytes !== undefined && bytes > opts.maxBytes) {
    throw new Error(`fragment of ${bytes} bytes exceeds the maximum of ${opts.maxBytes}`);
  }
  return bytes;
}

/**
 * A header that outgrew its reserved area (an origin it did not cover): the body is copied into a
 * new temporary file after a larger area. Rare, so plain.
 */
async function moveBody(f: FragmentFacts, reserved: number, packet: string, temps: Set<string>): Promise<void> {
  await f.fh?.close();
  f.fh = undefined;
  const temp = tempPath(packet);
  temps.add(temp);
  const from = await fs.promises.open(f.temp, 'r');
  try {
    const to = await fs.promises.open(temp, 'wx');
    try {
      const buf = Buffer.allocUnsafe(BODY_BLOCK_BYTES);
      for (let done = 0; done < f.body.length; ) {
        const { bytesRead } = await from.read(buf, 0, Math.min(buf.length, f.body.length - done), bodyOffset(f.reserved) + done);
        if (bytesRead <= 0) throw new Error(`the body of ${f.temp} ends after ${done} of ${f.body.length} bytes`);
        for (let off = 0; off < bytesRead; ) off += (await to.write(buf, off, bytesRead - off, bodyOffset(reserved) + done + off)).bytesWritten;
        done += bytesRead;
      }
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
  await fs.promises.rm(f.temp, { force: true });
  temps.delete(f.temp);
  f.temp = temp;
  f.reserved = reserved;
}

/**
 * A unit larger than -maxsize goes alone, whole. Say which part is large: with a tiny limit and
 * many targets the header alone can take most of it, and then the change is not the problem.
 */
function oversizedWarning(packet: string, maxBytes: number, bytes: number, unitBytes: number, headerBytes: number): string {
  const overhead = bytes - unitBytes;
  if (overhead * 2 > maxBytes) {
    return `Packet ${packet} is ${bytes} bytes, larger than the maximum size of ${maxBytes} bytes: its header and signature alone take ${overhead} bytes (${headerBytes} of header for its targets and replicas), leaving too little room for one change of ${unitBytes} bytes. Use a larger -maxsize.`;
  }
  if (unitBytes <= maxBytes) {
    // The change alone fits: saying only "a change of N bytes" with N under the limit reads as a miscount.
    return `Packet ${packet} is ${bytes} bytes, larger than the maximum size of ${maxBytes} bytes: it carries one change of ${unitBytes} bytes, which fits alone but not with the packet's ${overhead} bytes of header and signature, and a change is never divided between packets.`;
  }
  return `Packet ${packet} is larger than the maximum size of ${maxBytes} bytes: it carries one change of ${unitBytes} bytes, which is never divided between packets.`;
}

/**
 * Content up to this size is deflated whole by -compress when it was stored raw (loose files,
 * small batches); larger raw content was found incompressible when it was stored.
 */
const COMPRESS_WHOLE_BYTES = 1024 * 1024;
const COMPRESS_FROM_BYTES = 256;
/**
 * Records gathered before -compress deflates them as one 'Z' frame. Groups of 256 KB rather
 * than 1 MB: the export waits only for the last group's deflate at the end, and four groups in
 * flight hold a quarter of the memory (60,000 versions: about 4% faster, 14 MB less peak).
 */
const RECORD_GROUP_BYTES = 256 * 1024;


async function writeBlob(packet: string, b: BlobSource, body: BodyWriter, compress: boolean, ahead: BlobPrefetch): Promise<void> {
  checkBlob(packet, b);
  if (b.deflated) {
    // Deflated bytes are copied unread: only content the store hashed when it came in may be.
    if (!b.trusted) throw new PacketWriteError(packet, `content ${b.hash} is deflated but was not checked against its hash`);
    await body.putBlobHead(b.hash, b.size, b.deflated.bytes);
    await copyBytes(packet, b, b.deflated.bytes, body, () => ahead.next(), undefined);
    return;
  }
  if (compress && !b.keptRaw && b.size >= COMPRESS_FROM_BYTES && b.size <= COMPRESS_WHOLE_BYTES) {
    const content = await wholeContent(packet, b, ahead);
    const deflated = zlib.deflateRawSync(content, { level: zlib.constants.Z_BEST_SPEED });
    const smaller = DEFLATED_BLOB_FRAME_OVERHEAD + deflated.length < BLOB_FRAME_OVERHEAD + content.length;
    await body.putBlobHead(b.hash, b.size, smaller ? deflated.length : undefined);
    await body.put(smaller ? deflated : content);
    return;
  }
  if (compress && !b.keptRaw && b.size > COMPRESS_WHOLE_BYTES) {
    await writeLargeCompressed(packet, b, body, ahead);
    return;
  }
  await body.putBlobHead(b.hash, b.size);
  await copyBytes(packet, b, b.size, body, () => ahead.next(), b.trusted ? undefined : crypto.createHash('sha256'));
}

/**
 * -compress of large raw content (a big file checked in on its own is kept as a loose file, as
 * it is): deflated as it streams into a temporary file beside the packet, since a frame states
 * its length before its bytes; then copied in if that made it smaller, else sent as it is.
 * Memory stays at a few buffers whatever the size; the temporary file is swept like the others
 * if the writer dies.
 */
async function writeLargeCompressed(packet: string, b: BlobSource, body: BodyWriter, ahead: BlobPrefetch): Promise<void> {
  const temp = path.join(path.dirname(packet), `.${path.basename(packet)}.deflate.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    const hash = b.trusted ? undefined : crypto.createHash('sha256');
    const source = b.readSync ? positionalChunks(packet, b) : streamedBytes(packet, b, b.size, ahead.next());
    const hashed = async function* (): AsyncGenerator<Buffer> {
      for await (const piece of source) {
        hash?.update(piece);
        yield piece;
      }
    };
    await pipeline(hashed(), zlib.createDeflateRaw({ level: zlib.constants.Z_BEST_SPEED, chunkSize: 256 * 1024 }), fs.createWriteStream(temp, { flags: 'wx' }));
    if (hash && hash.digest('hex') !== b.hash) throw changedError(packet, b, 'read different bytes');
    const deflated = (await fs.promises.stat(temp)).size;
    if (DEFLATED_BLOB_FRAME_OVERHEAD + deflated < BLOB_FRAME_OVERHEAD + b.size) {
      await body.putBlobHead(b.hash, b.size, deflated);
      let copied = 0;
      for await (const piece of fs.createReadStream(temp, { highWaterMark: 1024 * 1024 })) {
        copied += (piece as Buffer).length;
        await body.put(piece as Buffer);
      }
      if (copied !== deflated) throw new PacketWriteError(packet, `the deflated copy of content ${b.hash} changed while it was being written`);
    } else {
      // Not smaller: the content as it is, read again (a stream source is opened anew).
      await body.putBlobHead(b.hash, b.size);
      await copyBytes(packet, b, b.size, body, () => openChecked(b), b.trusted ? undefined : crypto.createHash('sha256'));
    }
  } finally {
    await fs.promises.rm(temp, { force: true });
  }
}

function openChecked(b: BlobSource): Readable {
  const s = b.open();
  s.on('error', () => undefined);
  return s;
}

async function* positionalChunks(packet: string, b: BlobSource): AsyncGenerator<Buffer> {
  // Called as a method: a source may keep its state on itself.
  const readSync = (b.readSync as NonNullable<BlobSource['readSync']>).bind(b);
  for (let done = 0; done < b.size; ) {
    const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, b.size - done));
    const n = readSync(buf, 0, buf.length, done);
    if (n <= 0) throw changedError(packet, b, `read ${done}`);
    done += n;
    yield buf.subarray(0, n);
  }
}

/**
 * A blob's bytes as its source gives them, `bytes` long, hashed when `hash` is given: read
 * positionally straight into the body's blocks, or from `stream()` for a source without readSync.
 */
async function copyBytes(packet: string, b: BlobSource, bytes: number, body: BodyWriter, stream: () => Readable, hash: crypto.Hash | undefined): Promise<void> {
  const readSync = b.readSync?.bind(b);
  if (readSync) {
    await body.fill(bytes, (buf, offset, length, done) => {
      const n = readSync(buf, offset, length, done);
      if (n <= 0) throw changedError(packet, b, `read ${done}`);
      hash?.update(buf.subarray(offset, offset + n));
      return n;
    });
  } else {
    for await (const piece of streamedBytes(packet, b, bytes, stream())) {
      hash?.update(piece);
      await body.put(piece);
    }
  }
  if (hash && hash.digest('hex') !== b.hash) throw changedError(packet, b, 'read different bytes');
}

async function wholeContent(packet: string, b: BlobSource, ahead: BlobPrefetch): Promise<Buffer> {
  const content = Buffer.allocUnsafe(b.size);
  if (b.readSync) {
    for (let done = 0; done < b.size; ) {
      const n = b.readSync(content, done, b.size - done, done);
      if (n <= 0) throw changedError(packet, b, `read ${done}`);
      done += n;
    }
  } else {
    let done = 0;
    for await (const piece of streamedBytes(packet, b, b.size, ahead.next())) {
      piece.copy(content, done);
      done += piece.length;
    }
  }
  if (!b.trusted && crypto.createHash('sha256').update(content).digest('hex') !== b.hash) throw changedError(packet, b, 'read different bytes');
  return content;
}

/** Record frames gathered and written as one deflated 'Z' frame (or as they are, if that is smaller). */
class RecordGroup {
  /** The group being gathered, its frames encoded straight into it (allocated when first needed). */
  private buf: Buffer | undefined;
  private used = 0;
  /** Groups being deflated on the thread pool, written in order as they finish. */
  private readonly deflating: Array<Promise<{ raw: Buffer; deflated: Buffer }>> = [];

  constructor(private readonly body: BodyWriter) {}

  /** A record given as its JSON text, encoded into the group without measuring it first when it surely fits. */
  async addJson(json: string): Promise<void> {
    if (this.buf && RECORD_FRAME_OVERHEAD + 3 * json.length <= RECORD_GROUP_BYTES - this.used) {
      this.used = writeJsonFrame(this.buf, this.used, json);
      return;
    }
    await this.add(measureJson(json));
  }

  async add(r: EncodedRecord): Promise<void> {
    const frame = RECORD_FRAME_OVERHEAD + r.bytes;
    if (frame > RECORD_GROUP_BYTES) {
      // Too large to group (a 'Z' frame holds at most MAX_DEFLATED_RECORDS_BYTES): everything
      // gathered before it first, in order, then the record as a frame of its own.
      await this.close(0);
      await this.body.putRecord(r);
      return;
    }
    if (this.used + frame > RECORD_GROUP_BYTES) await this.close(GROUPS_IN_FLIGHT);
    this.buf ??= Buffer.allocUnsafe(RECORD_GROUP_BYTES);
    this.used = writeRecordFrame(this.buf, this.used, r);
  }

  /** Everything gathered so far written, the last group included. */
  async flush(): Promise<void> {
    await this.close(0);
  }

  /**
   * Starts deflating the gathered records on the thread pool while content goes on being copied:
   * a group's frame may come later in the body than its records were gathered, which is fine,
   * since records only have to follow their own content. At most `keep` groups stay in flight.
   */
  private async close(keep: number): Promise<void> {
    if (this.buf && this.used > 0) {
      const raw = this.buf.subarray(0, this.used);
      this.buf = undefined;
      this.used = 0;
      const p = deflateRawAsync(raw, { ...RECORD_DEFLATE, chunkSize: raw.length + 1024 }).then((deflated) => ({ raw, deflated }));
      p.catch(() => undefined);
      this.deflating.push(p);
    }
    while (this.deflating.length > keep) {
      const { raw, deflated } = await (this.deflating.shift() as Promise<{ raw: Buffer; deflated: Buffer }>);
      if (DEFLATED_RECORDS_FRAME_OVERHEAD + deflated.length < raw.length) {
        await this.body.put(encodeDeflatedRecordsFrameHead(raw.length, deflated.length));
        await this.body.put(deflated);
      } else {
        await this.body.put(raw);
      }
    }
  }
}

/** Groups being deflated at once, at most (Node's thread pool has four threads). */
const GROUPS_IN_FLIGHT = 4;
/**
 * Records repeat within a few entries (field names, origins, paths), never far back: a 4 KB
 * window deflated a 60,000-entry oplog a third faster than the default 32 KB, and smaller
 * (2.79 against 2.84 MB). Any inflater reads a smaller window. Content keeps the default:
 * with a 4 KB window it came out 17% larger.
 */
const RECORD_DEFLATE: zlib.ZlibOptions = { level: zlib.constants.Z_BEST_SPEED, windowBits: 12, memLevel: 8 };
// A group never exceeds what a reader accepts in one 'Z' frame.
if (RECORD_GROUP_BYTES > MAX_DEFLATED_RECORDS_BYTES) throw new Error('record groups larger than a reader accepts');
const deflateRawAsync = promisify(zlib.deflateRaw) as (b: Buffer, o: zlib.ZlibOptions) => Promise<Buffer>;

function writeRecordFrameCopy(r: EncodedRecord): Buffer {
  const b = Buffer.allocUnsafe(RECORD_FRAME_OVERHEAD + r.bytes);
  writeRecordFrame(b, 0, r);
  return b;
}

/**
 * A record frame from JSON text at `at`, its length filled in once the text is written; the
 * caller has made sure its largest possible UTF-8 length (3 bytes per UTF-16 unit) fits.
 */
function writeJsonFrame(buf: Buffer, at: number, json: string): number {
  buf[at] = FRAME_RECORD;
  const n = buf.write(json, at + RECORD_FRAME_OVERHEAD, 'utf8');
  buf.writeUInt32BE(n, at + 1);
  return at + RECORD_FRAME_OVERHEAD + n;
}

/** An 'R' frame written into `buf` at `at`; returns the offset after it. */
function writeRecordFrame(buf: Buffer, at: number, r: EncodedRecord): number {
  buf[at] = FRAME_RECORD;
  buf.writeUInt32BE(r.bytes, at + 1);
  buf.write(r.json, at + RECORD_FRAME_OVERHEAD, r.bytes, 'utf8');
  return at + RECORD_FRAME_OVERHEAD + r.bytes;
}

function changedError(packet: string, b: BlobSource, what: string): PacketWriteError {
  return new PacketWriteError(packet, `content ${b.hash} changed while it was being exported (expected ${b.deflated?.bytes ?? b.size} bytes, ${what})`);
}

/**
 * Opens the next few blobs' streams ahead of the one being copied, so opening and the first
 * read of each overlap with copying: a history is thousands of small versions, and waiting
 * for each open in turn left the export idle much of the time.
 */
const PREFETCH = 4;

class BlobPrefetch {
  private readonly opened: Readable[] = [];
  /** Sources without a positional read, in unit order, as units are queued; waiting[head] opens next. */
  private waiting: Array<BlobSource | undefined> = [];
  private head = 0;

  /** A unit queued for writing: its streamed content will be asked for in this order. */
  note(u: PacketUnit): void {
    if (u instanceof OneEntryUnit) {
      const c = u.content;
      if (c && !c.readSync) this.waiting.push(c);
    } else for (const b of u.blobs) if (!b.readSync) this.waiting.push(b);
  }

  next(): Readable {
    while (this.opened.length < PREFETCH + 1 && this.head < this.waiting.length) {
      const b = this.waiting[this.head] as BlobSource;
      this.waiting[this.head++] = undefined;
      const s = b.open();
      // An error before the copy reaches this stream is kept on the stream (stream.errored)
      // and thrown by the copy; without a listener it would crash the process instead.
      s.on('error', () => undefined);
      this.opened.push(s);
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    const s = this.opened.shift();
    if (!s) throw new Error('more blobs requested than were queued');
    return s;
  }

  close(): void {
    for (const s of this.opened.splice(0)) s.destroy();
    this.waiting = [];
    this.head = 0;
  }
}

/** A streamed blob's bytes, exactly `bytes` of them or an error. */
async function* streamedBytes(packet: string, b: BlobSource, bytes: number, stream: Readable): AsyncGenerator<Buffer> {
  let n = 0;
  if (stream.errored) throw stream.errored;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    n += buf.length;
    if (n > bytes) break;
    yield buf;
  }
  if (n !== bytes) throw changedError(packet, b, `read ${n > bytes ? 'more' : n}`);
}

/**
 * The body, written after the reserved header area in blocks of BLOCK bytes and hashed as it
 * goes. A history is mostly small versions: gathering them into blocks costs a copy, where
 * writing each on its own cost a system call. The blocks are the hasher's ring (bodyDigest.ts:
 * shared with its thread for a large body), filled in turn: one is filled while others are
 * written and hashed, and all are reused rather than allocated per block (the garbage of a
 * fresh megabyte per block was a tenth of an export's time). Content read positionally goes
 * straight into the block.
 */
const BLOCK = BODY_BLOCK_BYTES;

class BodyWriter {
  length = 0;
  private readonly hash: BodyHash;
  /** The hasher's ring of blocks (shared with its thread for a large body). */
  private readonly blocks: Buffer[];
  private readonly writing: Array<Promise<void> | undefined>;
  private cur = 0;
  private used = 0;

  constructor(private readonly fh: fs.promises.FileHandle, private position: number, expectedBytes: number) {
    this.hash = bodyHash(expectedBytes);
    this.blocks = this.hash.blocks;
    this.writing = this.blocks.map(() => undefined);
  }

  /** Bytes copied in, across as many blocks as they need. */
  async put(piece: Buffer): Promise<void> {
    for (let at = 0; at < piece.length; ) {
      if (this.used === BLOCK) await this.flush();
      const k = piece.copy(this.blocks[this.cur], this.used, at, Math.min(piece.length, at + BLOCK - this.used));
      this.used += k;
      at += k;
    }
  }

  /** A record frame, written straight into the block when it fits (no buffer per record). */
  async putRecord(r: EncodedRecord): Promise<void> {
    const n = RECORD_FRAME_OVERHEAD + r.bytes;
    // A record larger than a block is copied in across blocks; a smaller one starts a block if it must.
    if (n > BLOCK) return this.put(writeRecordFrameCopy(r));
    if (this.used + n > BLOCK) await this.flush();
    this.used = writeRecordFrame(this.blocks[this.cur], this.used, r);
  }

  /**
   * A record frame from its JSON text, encoded straight into the block: when the text's largest
   * possible UTF-8 length fits, it is written and its length filled in after, without a pass to
   * measure it first or an object to carry it. Otherwise as putRecord.
   */
  async putRecordJson(json: string): Promise<void> {
    if (RECORD_FRAME_OVERHEAD + 3 * json.length > BLOCK - this.used) return this.putRecord(measureJson(json));
    this.used = writeJsonFrame(this.blocks[this.cur], this.used, json);
  }

  /** A content frame's head ('D' when `deflated` bytes are given, else 'B'), straight into the block when it fits. */
  async putBlobHead(hash: string, size: number, deflated?: number): Promise<void> {
    if (this.used + DEFLATED_BLOB_FRAME_OVERHEAD > BLOCK) await this.flush();
    this.used = writeBlobFrameHead(this.blocks[this.cur], this.used, hash, size, deflated);
  }

  /** `bytes` bytes read straight into the block by `read`, which returns how many it gave (at least 1). */
  async fill(bytes: number, read: (buf: Buffer, offset: number, length: number, done: number) => number): Promise<void> {
    for (let done = 0; done < bytes; ) {
      if (this.used === BLOCK) await this.flush();
      const n = read(this.blocks[this.cur], this.used, Math.min(BLOCK - this.used, bytes - done), done);
      this.used += n;
      done += n;
    }
  }

  /**
   * Hands the current block to the hasher, starts writing it, and moves to the next block of the
   * ring once that one is written and hashed.
   */
  private async flush(): Promise<void> {
    if (this.used === 0) return;
    const data = this.blocks[this.cur].subarray(0, this.used);
    this.hash.submit(this.cur, this.used);
    const w = this.writeAt(data, this.position);
    w.catch(() => undefined);
    this.writing[this.cur] = w;
    this.advance(this.used);
    this.used = 0;
    this.cur = (this.cur + 1) % this.blocks.length;
    const pending = this.writing[this.cur];
    this.writing[this.cur] = undefined;
    await pending;
    this.hash.waitFree(this.cur);
  }

  /** Everything written (or the first write error thrown), early syncs finished. */
  async finish(): Promise<void> {
    try {
      await this.flush();
    } finally {
      const pending = this.writing.splice(0, this.writing.length, ...this.writing.map(() => undefined));
      for (const w of pending) await w;
      await this.syncing;
    }
  }

  digest(): Promise<string> {
    return this.hash.digest();
  }

  close(): void {
    this.hash.close();
  }

  private async writeAt(data: Buffer, position: number): Promise<void> {
    for (let off = 0; off < data.length; ) {
      const { bytesWritten } = await this.fh.write(data, off, data.length - off, position + off);
      off += bytesWritten;
    }
  }

  /**
   * Written data starts going to disk while the rest is produced, so the fsync that makes the
   * packet durable (writeFragment) finds little left to write. Only an early start: that fsync
   * still happens, after everything is written.
   */
  private syncing: Promise<void> = Promise.resolve();
  private unsynced = 0;
  private advance(n: number): void {
    this.position += n;
    this.length += n;
    this.unsynced += n;
    if (this.unsynced < SYNC_AHEAD_BYTES) return;
    this.unsynced = 0;
    const writes = this.writing.filter((w): w is Promise<void> => w !== undefined);
    this.syncing = Promise.all([this.syncing, ...writes]).then(() => this.fh.datasync());
    this.syncing.catch(() => undefined);
  }
}

/** At most this much is left for the final fsync (32 MB left it waiting on the disk at the end). */
const SYNC_AHEAD_BYTES = 8 * 1024 * 1024;

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
