import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import * as zlib from 'zlib';
import { encodePrefix } from '../../../src/engine/packet/format';
import type { BlobSource, HostKeyLookup, PacketBlobEntry, PacketEntry, PacketHeader, PacketUnit, PacketWriteOptions } from '../../../src/engine/packet';
import { PacketError, readPacketEntries } from '../../../src/engine/packet';
import { prng } from '../../support/prng';

/** Shared builders for the packet tests: keys, units, options, a seeded generator. */

export function tempDir(prefix = 'mspkt-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface HostKeys {
  host: string;
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
}

export function hostKeys(host: string): HostKeys {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return { host, privateKey, publicKey };
}

export function lookupOf(...hosts: HostKeys[]): HostKeyLookup {
  return (h) => hosts.find((k) => k.host === h)?.publicKey;
}

/** Seeded random numbers (test/support/prng.ts): a failing case replays from its seed. */
export const rng = prng;

export function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/** Content served in chunks of `chunk` bytes, as a store streams a file. */
export function memBlob(content: Buffer, chunk = 7919): BlobSource {
  return {
    hash: sha256(content),
    size: content.length,
    open: () => Readable.from(chunked(content, chunk)),
  };
}

function* chunked(b: Buffer, n: number): Generator<Buffer> {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

export function randomBytes(next: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

/** One oplog entry per unit, with a blob for every other one; origins alternate when two are given. */
export function makeUnits(count: number, opts: { seed?: number; blobBytes?: number; origins?: string[]; firstId?: number } = {}): PacketUnit[] {
  const next = rng(opts.seed ?? 1);
  const origins = opts.origins ?? ['oid-boston'];
  const ids = new Map<string, number>();
  const units: PacketUnit[] = [];
  for (let i = 0; i < count; i++) {
    const origin = origins[i % origins.length];
    const id = (ids.get(origin) ?? (opts.firstId ?? 1) - 1) + 1;
    ids.set(origin, id);
    const blobs = i % 2 === 0 ? [memBlob(randomBytes(next, Math.floor(next() * (opts.blobBytes ?? 3000))))] : [];
    units.push({ records: [{ kind: 'checkin', origin, id, element: `src/file${i}.c`, blob: blobs[0]?.hash ?? null }], blobs });
  }
  return units;
}

export function writeOptions(dir: string, keys: HostKeys, over: Partial<PacketWriteOptions> = {}): PacketWriteOptions {
  return {
    kind: 'update',
    dir,
    compress: false,
    header: {
      sequence: 7,
      familyOid: '12a3456b.78c901d2.e3ab.45:67:89:c0:1d:e2',
      vobTag: '/vobs/dev',
      comment: 'nightly update',
      origin: { name: 'boston_hub', oid: 'oid-boston' },
      sendingHost: keys.host,
      targets: [{ name: 'sanfran_hub', oid: 'oid-sanfran', host: 'sanfran', vobTag: '/vobs/dev', incarnation: 0 }],
      senderRow: { 'oid-boston': 12, 'oid-sanfran': 3 },
    },
    signer: { host: keys.host, privateKey: keys.privateKey },
    ...over,
  };
}

export interface ReadBack {
  records: PacketEntry[];
  blobs: Map<string, Buffer>;
  order: string[];
}

/** Reads every entry, collecting blob content; throws what the reader throws. */
export async function readBack(file: string, lookup?: HostKeyLookup): Promise<ReadBack> {
  const out: ReadBack = { records: [], blobs: new Map(), order: [] };
  for await (const e of readPacketEntries(file, lookup)) {
    if (e.type === 'record') {
      out.records.push(e);
      out.order.push(`r:${String(e.record.id)}:${e.record.origin ?? ''}`);
    } else {
      out.blobs.set(e.hash, await blobContent(e));
      out.order.push(`b:${e.hash}`);
    }
  }
  return out;
}

/** A blob entry's content: whole or streamed, inflated when it travelled deflated. */
export async function blobContent(e: PacketBlobEntry): Promise<Buffer> {
  let bytes: Buffer;
  if (e.data) bytes = e.data;
  else {
    const parts: Buffer[] = [];
    for await (const c of e.stream as AsyncIterable<Buffer>) parts.push(c);
    bytes = Buffer.concat(parts);
  }
  return e.deflated ? zlib.inflateRawSync(bytes) : bytes;
}

/**
 * A correctly signed packet around any body and header, for feeding the reader input no
 * writer would produce (a hostile but properly signed sender).
 */
export function craftPacket(file: string, keys: HostKeys, header: Record<string, unknown>, body: Buffer): void {
  const h = Buffer.from(JSON.stringify(header));
  const signed = Buffer.concat([encodePrefix(h.length), h]);
  const sig = crypto.sign(null, signed, keys.privateKey);
  fs.writeFileSync(file, Buffer.concat([signed, sig, body]));
}

/** A valid header for craftPacket, describing `body`. */
export function headerFor(keys: HostKeys, body: Buffer, over: Partial<PacketHeader['body']> = {}): PacketHeader {
  return {
    major: 1,
    minor: 2,
    kind: 'update',
    packetId: crypto.randomUUID(),
    fragment: { index: 1, count: 1 },
    sequence: 1,
    familyOid: 'fam',
    vobTag: '/vobs/dev',
    comment: '',
    origin: { name: 'boston_hub', oid: 'oid-boston' },
    sendingHost: keys.host,
    createdAt: new Date().toISOString(),
    targets: [],
    ranges: [],
    senderRow: {},
    body: { length: body.length, sha256: sha256(body), compression: 'none', records: 0, blobs: 0, ...over },
  };
}

/**
 * Frame builders for crafted bodies (docs/packets.md). Each takes what a hostile sender could
 * choose: declared lengths, hashes and sizes default to the honest values and can be overridden.
 */
export const frames = {
  R(json: string | Buffer, declared?: number): Buffer {
    const b = Buffer.isBuffer(json) ? json : Buffer.from(json);
    const head = Buffer.alloc(5);
    head[0] = 0x52;
    head.writeUInt32BE(declared ?? b.length, 1);
    return Buffer.concat([head, b]);
  },
  B(content: Buffer, opts: { size?: bigint; hash?: string } = {}): Buffer {
    const head = Buffer.alloc(41);
    head[0] = 0x42;
    Buffer.from(opts.hash ?? sha256(content), 'hex').copy(head, 1);
    head.writeBigUInt64BE(opts.size ?? BigInt(content.length), 33);
    return Buffer.concat([head, content]);
  },
  /** A 'D' frame: `bytes` (default: content raw-deflated) announced as `content` (hash, size). */
  D(content: Buffer, opts: { bytes?: Buffer; size?: bigint; hash?: string; stored?: bigint } = {}): Buffer {
    const bytes = opts.bytes ?? zlib.deflateRawSync(content);
    const head = Buffer.alloc(49);
    head[0] = 0x44;
    Buffer.from(opts.hash ?? sha256(content), 'hex').copy(head, 1);
    head.writeBigUInt64BE(opts.size ?? BigInt(content.length), 33);
    head.writeBigUInt64BE(opts.stored ?? BigInt(bytes.length), 41);
    return Buffer.concat([head, bytes]);
  },
  /** A 'Z' frame around `inner` (default: `inner` raw-deflated), announcing `raw` and `stored` lengths. */
  Z(inner: Buffer, opts: { bytes?: Buffer; raw?: number; stored?: number } = {}): Buffer {
    const bytes = opts.bytes ?? zlib.deflateRawSync(inner);
    const head = Buffer.alloc(9);
    head[0] = 0x5a;
    head.writeUInt32BE(opts.raw ?? inner.length, 1);
    head.writeUInt32BE(opts.stored ?? bytes.length, 5);
    return Buffer.concat([head, bytes]);
  },
  E: Buffer.from('E'),
};

/** A correctly signed minor-3 packet around `body`, its header counting `records` and `blobs`. */
export function craftMinor3(file: string, keys: HostKeys, body: Buffer, counts: { records?: number; blobs?: number; compression?: 'none' | 'frames' } = {}): void {
  const header = headerFor(keys, body, { records: counts.records ?? 0, blobs: counts.blobs ?? 0, compression: counts.compression ?? 'none' });
  craftPacket(file, keys, { ...header, minor: 3 }, body);
}

/** What a reader saw before it stopped: entries in order (content read to its end) and the error, if any. */
export interface ReadUntil {
  order: string[];
  records: PacketEntry[];
  blobs: Map<string, Buffer>;
  error?: unknown;
}

/**
 * Like readBack, but keeps what was yielded before a failure: `r:<kind>` for records, `b:<hash>`
 * for content, whose bytes are kept as they travelled (not inflated: deflated content may be
 * handed over before it is checked).
 */
export async function readUntilError(file: string, lookup?: HostKeyLookup): Promise<ReadUntil> {
  const out: ReadUntil = { order: [], records: [], blobs: new Map() };
  try {
    for await (const e of readPacketEntries(file, lookup)) {
      if (e.type === 'record') {
        out.records.push(e);
        out.order.push(`r:${e.record.kind}`);
      } else {
        out.order.push(`b:${e.hash}`);
        let bytes = e.data;
        if (!bytes) {
          const parts: Buffer[] = [];
          for await (const c of e.stream as AsyncIterable<Buffer>) parts.push(c);
          bytes = Buffer.concat(parts);
        }
        out.blobs.set(e.hash, bytes);
      }
    }
  } catch (e) {
    out.error = e;
  }
  return out;
}

/** The top-level frame types of a written packet's body (not gzip), e.g. "DBZE". */
export function frameTypes(file: string): string {
  const bytes = fs.readFileSync(file);
  const headerLength = bytes.readUInt32BE(8);
  let at = 12 + headerLength + 64;
  let out = '';
  while (at < bytes.length) {
    const t = String.fromCharCode(bytes[at]);
    out += t;
    if (t === 'E') at += 1;
    else if (t === 'R') at += 5 + bytes.readUInt32BE(at + 1);
    else if (t === 'B') at += 41 + Number(bytes.readBigUInt64BE(at + 33));
    else if (t === 'D') at += 49 + Number(bytes.readBigUInt64BE(at + 41));
    else if (t === 'Z') at += 9 + bytes.readUInt32BE(at + 5);
    else throw new Error(`unknown frame ${t} at ${at}`);
  }
  return out;
}

/** Rejected, with a packet error (never a crash, a hang or a generic failure). */
export async function rejected(what: Promise<unknown>): Promise<PacketError> {
  try {
    await what;
  } catch (e) {
    if (e instanceof PacketError) return e;
    throw new Error(`expected a PacketError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error('expected the packet to be rejected, but it was accepted');
}
