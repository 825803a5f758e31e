import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import * as zlib from 'zlib';
import { encodePrefix } from '../../../src/engine/packet/format';
import type { BlobSource, HostKeyLookup, PacketBlobEntry, PacketEntry, PacketHeader, PacketUnit, PacketWriteOptions } from '../../../src/engine/packet';
import { readPacketEntries } from '../../../src/engine/packet';
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
