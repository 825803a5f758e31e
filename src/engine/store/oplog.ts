import * as fs from 'fs';
import * as path from 'path';
import { crc32 } from 'zlib';
import { fsyncDir } from './durable';
import { ReplicaFormatError } from './errors';
import type { Op } from './ops';

/**
 * The operation log, the replica's source of truth: an append-only file of transactions, one
 * line each. A transaction is all entries of one command (one import, one fsimport), so a
 * kill -9 keeps it whole or not at all: a torn last line fails its checksum and is cut off when
 * the replica is next opened by a writer.
 *
 * A line is `<crc32 hex>` and then, tab-separated, each entry's JSON (opJson: JSON never
 * contains a raw tab), the checksum covering everything after the first tab. Each entry's text
 * is kept apart, with its head fields first, so an export can take the entries it sends as
 * they are stored: it reads their origin, id, kind and content from the head (headOf) and
 * copies the text into the packet, where parsing every entry and encoding it again was a
 * sixth of a large export. Lines of stores made before (`<crc32 hex> {"ops":[...]}`, the
 * checksum after the space) are still read.
 */
export interface OplogTxn {
  ops: Op[];
}

/** An entry as an export takes it: its JSON as stored and the fields an export reads. */
export interface OplogEntry {
  origin: string;
  id: number;
  kind: string;
  /** Content of a version.create entry. */
  blob?: string;
  size?: number;
  json: string;
}

export interface ScanResult {
  /** Byte offset just after the last valid transaction. */
  end: number;
  /** Bytes after `end` that were not a valid transaction (a torn tail). */
  tornBytes: number;
}

const NL = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;

/**
 * An entry's JSON with its head first (origin, id, kind, and for a version its content), the
 * order headOf reads without parsing; the rest keeps the entry's own order.
 */
export function opJson(op: Op): string {
  const head = op.kind === 'version.create' ? { origin: op.origin, id: op.id, kind: op.kind, blob: op.blob, size: op.size } : { origin: op.origin, id: op.id, kind: op.kind };
  return JSON.stringify(Object.assign(head, op));
}

/** An entry from its stored JSON: the head read in place when written by opJson, else parsed. */
export function entryOf(json: string): OplogEntry {
  return readHead(json) ?? entryOfOp(JSON.parse(json) as Op, json);
}

const ORIGIN_AT = '{"origin":"'.length;

/**
 * Reads `{"origin":"<oid>","id":<n>,"kind":"<kind>"` and, for a version, `,"blob":"<sha256>",
 * "size":<n>` from the start of an entry's JSON, by hand: one pass over a few dozen characters,
 * where a pattern built a match array and five strings per entry of a 20,000-entry export.
 * Origins and kinds repeat, so the entry keeps a shared copy. Anything unexpected (escapes,
 * other characters, another field order) gives undefined and the entry is parsed instead.
 */
function readHead(json: string): OplogEntry | undefined {
  if (!json.startsWith('{"origin":"')) return undefined;
  const originEnd = scanWhile(json, ORIGIN_AT, isOidChar);
  if (originEnd === ORIGIN_AT || !json.startsWith('","id":', originEnd)) return undefined;
  const id = readInt(json, originEnd + 7);
  if (id === undefined || !json.startsWith(',"kind":"', id.end)) return undefined;
  const kindAt = id.end + 9;
  const kindEnd = scanWhile(json, kindAt, isKindChar);
  if (kindEnd === kindAt || json.charCodeAt(kindEnd) !== 0x22) return undefined;
  const origin = shared(json.slice(ORIGIN_AT, originEnd));
  const kind = shared(json.slice(kindAt, kindEnd));
  if (kind !== 'version.create') return { origin, id: id.value, kind, json };
  if (!json.startsWith(',"blob":"', kindEnd + 1)) return undefined;
  const blobAt = kindEnd + 10;
  if (scanWhile(json, blobAt, isHexChar) !== blobAt + 64 || !json.startsWith('","size":', blobAt + 64)) return undefined;
  const size = readInt(json, blobAt + 73);
  const next = size === undefined ? -1 : json.charCodeAt(size.end);
  if (size === undefined || (next !== 0x2c && next !== 0x7d)) return undefined;
  return { origin, id: id.value, kind, blob: json.slice(blobAt, blobAt + 64), size: size.value, json };
}

function scanWhile(s: string, from: number, ok: (c: number) => boolean): number {
  let i = from;
  while (i < s.length && ok(s.charCodeAt(i))) i++;
  return i;
}

/** Up to 15 decimal digits at `from` (no sign, no leading zero but for 0 itself). */
function readInt(s: string, from: number): { value: number; end: number } | undefined {
  const end = scanWhile(s, from, (c) => c >= 0x30 && c <= 0x39);
  if (end === from || end - from > 15 || (s.charCodeAt(from) === 0x30 && end - from > 1)) return undefined;
  return { value: Number(s.slice(from, end)), end };
}

const isHexChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
const isOidChar = (c: number): boolean => isHexChar(c) || c === 0x2d;
const isKindChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || c === 0x2e;

/**
 * One copy of each origin and kind seen (a replica family has a handful of each). The copy kept
 * is made afresh: a slice may share the memory of the whole oplog line it was cut from, which
 * the map would then keep alive for the life of the process (the editor's, for one).
 */
const SHARED = new Map<string, string>();
function shared(s: string): string {
  const v = SHARED.get(s);
  if (v !== undefined) return v;
  if (SHARED.size >= 4096) return s;
  const own = Buffer.from(s, 'latin1').toString('latin1');
  SHARED.set(own, own);
  return own;
}

export function entryOfOp(op: Op, json = opJson(op)): OplogEntry {
  const e: OplogEntry = { origin: op.origin, id: op.id, kind: op.kind, json };
  if (op.kind === 'version.create') {
    e.blob = op.blob;
    e.size = op.size;
  }
  return e;
}

export class Oplog {
  constructor(readonly file: string) {}

  size(): number {
    try {
      return fs.statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /**
   * Reads transactions from `from` to the end, calling onTxn for each, in order. Stops at the
   * first damaged line; if valid lines follow it the damage is not a torn tail and the replica
   * refuses to open rather than lose them.
   */
  scan(from: number, onTxn: (txn: OplogTxn, end: number) => void): Promise<ScanResult> {
    return this.scanLines(from, decodeOps, onTxn);
  }

  /** As scan(), each entry as stored, unparsed where it can be (see entryOf). */
  scanEntries(from: number, onEntry: (e: OplogEntry) => void): Promise<ScanResult> {
    return this.scanLines(from, decodeEntries, (entries) => {
      for (const e of entries) onEntry(e);
    });
  }

  private async scanLines<T>(from: number, decode: (line: Buffer) => T | undefined, onTxn: (txn: T, end: number) => void): Promise<ScanResult> {
    if (!fs.existsSync(this.file)) return { end: 0, tornBytes: 0 };
    const total = this.size();
    const stream = fs.createReadStream(this.file, { start: from, highWaterMark: 1024 * 1024 });
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let offset = from;
    let bad: number | undefined;
    for await (const raw of stream) {
      let chunk = raw as Buffer;
      if (bad !== undefined) {
        if (chunk.includes(NL)) {
          // Look for any complete valid line after the damage.
          pending.push(chunk);
          pendingLen += chunk.length;
        }
        continue;
      }
      for (;;) {
        const nl = chunk.indexOf(NL);
        if (nl < 0) {
          pending.push(chunk);
          pendingLen += chunk.length;
          break;
        }
        const lineBuf = pendingLen ? Buffer.concat([...pending, chunk.subarray(0, nl)]) : chunk.subarray(0, nl);
        pending = [];
        pendingLen = 0;
        chunk = chunk.subarray(nl + 1);
        const txn = decode(lineBuf);
        if (txn === undefined) {
          bad = offset;
          pending.push(chunk);
          pendingLen += chunk.length;
          break;
        }
        offset += lineBuf.length + 1;
        onTxn(txn, offset);
      }
    }
    if (bad !== undefined) {
      const rest = Buffer.concat(pending).toString('latin1').split('\n');
      rest.pop();
      if (rest.some((l) => checkedBody(Buffer.from(l, 'latin1')) !== undefined)) {
        throw new ReplicaFormatError(path.dirname(this.file), `the oplog is damaged at byte ${bad} with valid entries after it; restore the replica from backup and run restorereplica`);
      }
    }
    return { end: offset, tornBytes: total - offset };
  }

  /** Cuts a torn tail off (after a crash mid-append). */
  truncate(end: number): void {
    const fd = fs.openSync(this.file, 'r+');
    try {
      fs.ftruncateSync(fd, end);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Appends one transaction durably; returns the new end offset. */
  append(ops: readonly Op[]): number {
    const body = Buffer.from(ops.map(opJson).join('\t'));
    const line = Buffer.concat([Buffer.from(`${crc32(body).toString(16).padStart(8, '0')}\t`), body, Buffer.from('\n')]);
    const existed = fs.existsSync(this.file);
    const fd = fs.openSync(this.file, 'a');
    try {
      let off = 0;
      while (off < line.length) off += fs.writeSync(fd, line, off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (!existed) fsyncDir(path.dirname(this.file));
    return this.size();
  }
}

/** A line whose checksum holds: its body and whether it is a tab-separated one; else undefined. */
function checkedBody(line: Buffer): { text: string; tabbed: boolean } | undefined {
  if (line.length < 9 || (line[8] !== TAB && line[8] !== SPACE)) return undefined;
  const want = line.subarray(0, 8).toString('latin1');
  const body = line.subarray(9);
  if (crc32(body).toString(16).padStart(8, '0') !== want) return undefined;
  return { text: body.toString('utf8'), tabbed: line[8] === TAB };
}

function decodeOps(line: Buffer): OplogTxn | undefined {
  const body = checkedBody(line);
  if (!body) return undefined;
  try {
    if (body.tabbed) return { ops: body.text === '' ? [] : body.text.split('\t').map((t) => JSON.parse(t) as Op) };
    const txn = JSON.parse(body.text) as OplogTxn;
    return Array.isArray(txn.ops) ? txn : undefined;
  } catch {
    return undefined;
  }
}

function decodeEntries(line: Buffer): OplogEntry[] | undefined {
  const body = checkedBody(line);
  if (!body) return undefined;
  try {
    if (body.tabbed) return body.text === '' ? [] : body.text.split('\t').map(entryOf);
    const txn = JSON.parse(body.text) as OplogTxn;
    return Array.isArray(txn.ops) ? txn.ops.map((op) => entryOfOp(op)) : undefined;
  } catch {
    return undefined;
  }
}
