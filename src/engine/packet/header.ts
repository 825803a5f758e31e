import * as fs from 'fs';
import { NotAPacketError, PacketHeaderError } from './errors';
import { MAGIC, MAX_HEADER_BYTES, PREFIX_BYTES, SHA256_HEX } from './format';
import { PACKET_MAJOR_VERSION, type PacketHeader, type PacketOplogRange, type PacketReplicaRef, type PacketTarget } from './types';

/**
 * Reading and checking packet headers. lspacket reads thousands of packets, so reading a header
 * touches only the fixed prefix and the header bytes (one read in the common case) and never
 * the body; the shape check runs on every header so nothing downstream meets a wrong type.
 */

/** A first read this large gets the whole header of any ordinary packet in one system call. */
const FIRST_READ = 16 * 1024;
/**
 * Non-blocking open: a named pipe dropped into a bay (or named on the command line) must not
 * hang a listing waiting for a writer; it is then refused as not a regular file.
 */
export const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);
let scratch: Buffer | undefined;

/** Raw header bytes as they sit in the file (what the signature covers, after the prefix). */
export interface RawHeader {
  header: PacketHeader;
  /** Prefix + header bytes: exactly what the signature signs. */
  signed: Buffer;
}

/** Reads and validates the header of one physical packet without touching the body. */
export async function readPacketHeader(file: string): Promise<PacketHeader> {
  return (await readRawHeader(file)).header;
}

/** readPacketHeader for callers that list many packets (lspacket): no thread-pool round trips. */
export function readPacketHeaderSync(file: string): PacketHeader {
  return readRawHeaderSync(file, false).header;
}

export async function readRawHeader(file: string): Promise<RawHeader> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, OPEN_FLAGS);
  } catch (e) {
    throw new PacketHeaderError(file, describeFsError(e));
  }
  try {
    checkRegular(file, await fh.stat());
    const first = Buffer.allocUnsafe(FIRST_READ);
    const { bytesRead } = await fh.read(first, 0, FIRST_READ, 0).catch((e: unknown) => {
      throw new PacketHeaderError(file, describeFsError(e));
    });
    const need = checkPrefix(file, first, bytesRead);
    if (need <= bytesRead) return decode(file, first.subarray(0, need));
    const all = Buffer.allocUnsafe(need);
    const r = await fh.read(all, 0, need, 0);
    if (r.bytesRead < need) throw truncatedHeader(file, r.bytesRead, need);
    return decode(file, all);
  } finally {
    await fh.close();
  }
}

export function readRawHeaderSync(file: string, keepSigned = true): RawHeader {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    throw new PacketHeaderError(file, describeFsError(e));
  }
  try {
    checkRegular(file, fs.fstatSync(fd));
    scratch ??= Buffer.allocUnsafe(FIRST_READ);
    let bytesRead: number;
    try {
      bytesRead = fs.readSync(fd, scratch, 0, FIRST_READ, 0);
    } catch (e) {
      throw new PacketHeaderError(file, describeFsError(e));
    }
    const need = checkPrefix(file, scratch, bytesRead);
    // The scratch buffer is reused: copy it only when the caller keeps the bytes.
    if (need <= bytesRead) return decode(file, keepSigned ? Buffer.from(scratch.subarray(0, need)) : scratch.subarray(0, need));
    const all = Buffer.allocUnsafe(need);
    const got = fs.readSync(fd, all, 0, need, 0);
    if (got < need) throw truncatedHeader(file, got, need);
    return decode(file, all);
  } finally {
    fs.closeSync(fd);
  }
}

function checkRegular(file: string, st: fs.Stats): void {
  if (st.isFile()) return;
  if (st.isDirectory()) throw new PacketHeaderError(file, 'it is a directory');
  throw new NotAPacketError(file, 'it is not a regular file');
}

/** Checks magic and header length; returns how many bytes prefix + header take. */
function checkPrefix(file: string, buf: Buffer, bytesRead: number): number {
  const magicPart = Math.min(bytesRead, MAGIC.length);
  if (magicPart === 0) throw new NotAPacketError(file, 'the file is empty');
  if (!buf.subarray(0, magicPart).equals(MAGIC.subarray(0, magicPart))) throw new NotAPacketError(file);
  if (bytesRead < PREFIX_BYTES) throw truncatedHeader(file, bytesRead, PREFIX_BYTES);
  const length = buf.readUInt32BE(MAGIC.length);
  if (length === 0) throw new PacketHeaderError(file, 'the header is empty');
  if (length > MAX_HEADER_BYTES) throw new PacketHeaderError(file, `declared header length ${length} is over the limit of ${MAX_HEADER_BYTES} bytes`);
  return PREFIX_BYTES + length;
}

function truncatedHeader(file: string, have: number, need: number): PacketHeaderError {
  return new PacketHeaderError(file, `the file ends after ${have} bytes, inside the header (${need} bytes)`);
}

function decode(file: string, signed: Buffer): RawHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(signed.toString('utf8', PREFIX_BYTES));
  } catch (e) {
    throw new PacketHeaderError(file, `the header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return { header: validateHeader(file, raw), signed };
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/** Shape check of a parsed header. Unknown fields are dropped (a newer minor version may add some). */
export function validateHeader(file: string, raw: unknown): PacketHeader {
  const v = new Validator(file);
  const o = v.object(raw, 'header');
  const major = v.int(o.major, 'major');
  const minor = v.int(o.minor, 'minor');
  if (major !== PACKET_MAJOR_VERSION) {
    throw new PacketHeaderError(file, `packet version ${major}.${minor} is not supported (this host reads ${PACKET_MAJOR_VERSION}.x)`);
  }
  const kind = o.kind;
  if (kind !== 'update' && kind !== 'creation') throw v.fail('kind', 'must be "update" or "creation"');
  const fragmentRaw = v.object(o.fragment, 'fragment');
  const fragment = { index: v.int(fragmentRaw.index, 'fragment', 'index', 1), count: v.int(fragmentRaw.count, 'fragment', 'count', 1) };
  if (fragment.index > fragment.count) throw v.fail('fragment', `index ${fragment.index} is greater than count ${fragment.count}`);
  const bodyRaw = v.object(o.body, 'body');
  const compression = bodyRaw.compression;
  if (compression !== 'none' && compression !== 'frames' && compression !== 'gzip') throw v.fail('body.compression', 'must be "none", "frames" or "gzip"');
  const sha256 = v.string(bodyRaw.sha256, 'body', 'sha256');
  if (!SHA256_HEX.test(sha256)) throw v.fail('body.sha256', 'must be 64 lower-case hex digits');
  const senderRowRaw = v.object(o.senderRow, 'senderRow');
  const senderRow: Record<string, number> = {};
  for (const oid of Object.keys(senderRowRaw)) senderRow[oid] = v.int(senderRowRaw[oid], 'senderRow', `["${oid}"]`);
  const targets = v.array(o.targets, 'targets');
  const ranges = v.array(o.ranges, 'ranges');
  return {
    major,
    minor,
    kind,
    packetId: v.string(o.packetId, 'packetId', undefined, 1),
    fragment,
    sequence: v.int(o.sequence, 'sequence'),
    familyOid: v.string(o.familyOid, 'familyOid'),
    vobTag: v.string(o.vobTag, 'vobTag'),
    comment: v.string(o.comment, 'comment'),
    origin: v.ref(o.origin, 'origin'),
    sendingHost: v.string(o.sendingHost, 'sendingHost', undefined, 1),
    createdAt: v.string(o.createdAt, 'createdAt'),
    targets: targets.map((t, i) => v.target(t, i)),
    ranges: ranges.map((r, i) => v.range(r, i)),
    senderRow,
    body: {
      length: v.int(bodyRaw.length, 'body', 'length'),
      sha256,
      compression,
      records: v.int(bodyRaw.records, 'body', 'records'),
      blobs: v.int(bodyRaw.blobs, 'body', 'blobs'),
    },
  };
}

/**
 * Checks field by field. Field names are joined only when a check fails: lspacket validates
 * thousands of headers, and building every name up front was a good part of its time.
 */
class Validator {
  constructor(private readonly file: string) {}

  fail(field: string, what: string): PacketHeaderError {
    return new PacketHeaderError(this.file, `field "${field}" ${what}`);
  }

  private name(parent: string, key?: string): string {
    if (key === undefined) return parent;
    return key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`;
  }

  object(x: unknown, parent: string, key?: string): Record<string, unknown> {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw this.fail(this.name(parent, key), 'must be an object');
    return x as Record<string, unknown>;
  }

  array(x: unknown, field: string): unknown[] {
    if (!Array.isArray(x)) throw this.fail(field, 'must be a list');
    return x;
  }

  string(x: unknown, parent: string, key?: string, minLength = 0): string {
    if (typeof x !== 'string') throw this.fail(this.name(parent, key), 'must be a string');
    if (x.length < minLength) throw this.fail(this.name(parent, key), 'must not be empty');
    return x;
  }

  int(x: unknown, parent: string, key?: string, min = 0): number {
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw this.fail(this.name(parent, key), 'must be an integer');
    if (x < min) throw this.fail(this.name(parent, key), `must be at least ${min}`);
    return x;
  }

  ref(x: unknown, parent: string, key?: string): PacketReplicaRef {
    const o = this.object(x, parent, key);
    const field = key === undefined ? parent : this.name(parent, key);
    return { name: this.string(o.name, field, 'name', 1), oid: this.string(o.oid, field, 'oid', 1) };
  }

  target(x: unknown, i: number): PacketTarget {
    const o = this.object(x, 'targets', `[${i}]`);
    const r = this.ref(o, 'targets', `[${i}]`);
    return {
      name: r.name,
      oid: r.oid,
      host: this.string(o.host, `targets[${i}]`, 'host'),
      vobTag: this.string(o.vobTag, `targets[${i}]`, 'vobTag'),
      incarnation: this.int(o.incarnation, `targets[${i}]`, 'incarnation'),
    };
  }

  range(x: unknown, i: number): PacketOplogRange {
    const o = this.object(x, 'ranges', `[${i}]`);
    const ref = this.ref(o, 'ranges', `[${i}]`);
    const firstOplogId = this.int(o.firstOplogId, 'ranges', `[${i}].firstOplogId`);
    const lastOplogId = this.int(o.lastOplogId, 'ranges', `[${i}].lastOplogId`);
    const incarnation = this.int(o.incarnation, 'ranges', `[${i}].incarnation`);
    if (lastOplogId < firstOplogId) throw this.fail(`ranges[${i}]`, `ends (${lastOplogId}) before it starts (${firstOplogId})`);
    return { name: ref.name, oid: ref.oid, firstOplogId, lastOplogId, incarnation };
  }
}
