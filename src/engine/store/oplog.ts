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

const HEAD = /^\{"origin":"([0-9a-f-]{1,64})","id":(0|[1-9]\d{0,14}),"kind":"([a-z.]{1,32})"(?:,"blob":"([0-9a-f]{64})","size":(0|[1-9]\d{0,14})[,}])?/;

/**
 * An entry from its stored JSON: its head read by one anchored pattern when written by opJson,
 * else parsed. Origins and kinds repeat, so the entry keeps a shared copy of each.
 */
export function entryOf(json: string): OplogEntry {
  const m = HEAD.exec(json);
  if (m && (m[3] !== 'version.create' || m[4] !== undefined)) {
    const e: OplogEntry = { origin: shared(m[1]), id: Number(m[2]), kind: shared(m[3]), json };
    if (m[4] !== undefined) {
      e.blob = m[4];
      e.size = Number(m[5]);
    }
    return e;
  }
  return entryOfOp(JSON.parse(json) as Op, json);
}

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

  /**
   * Splits the file into lines as it streams, one line in memory at a time. After a damaged
   * line every further complete line is still checked: a valid one means the damage is not a
   * torn tail, whatever its size.
   */
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
        if (bad !== undefined) {
          if (decode(lineBuf) !== undefined) {
            stream.destroy();
            throw new ReplicaFormatError(path.dirname(this.file), `the oplog is damaged at byte ${bad} with valid entries after it; restore the replica from backup and run restorereplica`);
          }
          continue;
        }
        const txn = decode(lineBuf);
        if (txn === undefined) {
          bad = offset;
          continue;
        }
        offset += lineBuf.length + 1;
        onTxn(txn, offset);
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
