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
 * they are stored: it reads their origin, id, kind and content from the head (entryOf) and
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
/** Bytes an oplog scan reads at a time (into one buffer, see Oplog.lines). */
const READ_BYTES = 1024 * 1024;
const TAB = 0x09;
const SPACE = 0x20;

/**
 * An entry's JSON with its head first (origin, id, kind, and for a version its content), the
 * order entryOf reads without parsing; the rest keeps the entry's own order.
 */
export function opJson(op: Op): string {
  const head = op.kind === 'version.create' ? { origin: op.origin, id: op.id, kind: op.kind, blob: op.blob, size: op.size } : { origin: op.origin, id: op.id, kind: op.kind };
  return JSON.stringify(Object.assign(head, op));
}

/** An entry from its stored JSON: its head read in place when written by opJson, else parsed. */
export function entryOf(json: string): OplogEntry {
  return entryAt(json, 0, json.length);
}

/**
 * The entry stored at [start, end) of a line's text. Its head is read in the line itself: V8
 * reads a slice of a long string about half as fast as a string of its own, and every entry's
 * JSON is such a slice.
 */
function entryAt(line: string, start: number, end: number): OplogEntry {
  const json = start === 0 && end === line.length ? line : line.slice(start, end);
  return readHead(line, start, end, json) ?? entryOfOp(JSON.parse(json) as Op, json);
}

const KINDS: readonly Op['kind'][] = ['version.create', 'element.create', 'branch.create', 'label.set', 'brtype.create', 'lbtype.create', 'master.change', 'replica.create', 'vob.create'];
const OID_TEXT = /^[0-9a-f-]{1,64}$/;
/** The origin of the entry read last: entries of one origin come in long runs. */
let lastOrigin = '';

/**
 * Reads `{"origin":"<oid>","id":<n>,"kind":"<kind>"` and, for a version,
 * `,"blob":"<sha256>","size":<n>` from the start of an entry's JSON as opJson wrote it (at
 * `at` in `line`, up to `end`), with native string comparisons: a pattern with captures per
 * entry was a tenth of a 60,000-version export. An origin equal to the last one is that same
 * string (compared in place, not cut out); a new one is checked and copied. Anything
 * unexpected (escapes, another field order, an unknown kind) gives undefined, and the entry is
 * parsed instead.
 */
function readHead(line: string, at: number, end: number, json: string): OplogEntry | undefined {
  if (!line.startsWith('{"origin":"', at)) return undefined;
  const originAt = at + 11;
  const originEnd = line.indexOf('"', originAt);
  if (originEnd <= originAt || originEnd >= end) return undefined;
  let origin = lastOrigin;
  if (originEnd - originAt !== origin.length || !line.startsWith(origin, originAt)) {
    const text = line.slice(originAt, originEnd);
    if (!OID_TEXT.test(text)) return undefined;
    // A copy of its own: a slice would keep the whole oplog line alive as long as it is kept.
    origin = lastOrigin = Buffer.from(text, 'latin1').toString('latin1');
  }
  if (!line.startsWith('","id":', originEnd)) return undefined;
  const idEnd = digitsEnd(line, originEnd + 7, end);
  if (idEnd < 0 || !line.startsWith(',"kind":"', idEnd)) return undefined;
  const id = digitsValue;
  const kindAt = idEnd + 9;
  const kindEnd = line.indexOf('"', kindAt);
  if (kindEnd < 0 || kindEnd >= end) return undefined;
  let kind: string | undefined;
  for (const k of KINDS) {
    if (kindEnd - kindAt === k.length && line.startsWith(k, kindAt)) {
      kind = k;
      break;
    }
  }
  if (kind === undefined) return undefined;
  if (kind !== 'version.create') return { origin, id, kind, json };
  const blobAt = kindEnd + 10;
  if (blobAt + 73 > end || !line.startsWith(',"blob":"', kindEnd + 1) || line.charCodeAt(blobAt + 64) !== 0x22) return undefined;
  // Not checked to be hex here (a pattern test per entry was a twentieth of a large export):
  // the content store checks every hash it is asked for (hashWords, loosePath).
  const blob = line.slice(blobAt, blobAt + 64);
  if (!line.startsWith(',"size":', blobAt + 65)) return undefined;
  const sizeEnd = digitsEnd(line, blobAt + 73, end);
  if (sizeEnd < 0 || sizeEnd >= end) return undefined;
  const after = line.charCodeAt(sizeEnd);
  if (after !== 0x2c && after !== 0x7d) return undefined;
  return { origin, id, kind, blob, size: digitsValue, json };
}

/** The value of the digits digitsEnd read last (a second result without an object per call). */
let digitsValue = 0;

/**
 * Where the decimal integer at `from` ends (1 to 15 digits before `end`, no leading zero but
 * for 0 itself), or -1; its value is left in digitsValue.
 */
function digitsEnd(s: string, from: number, end: number): number {
  let v = 0;
  let i = from;
  for (; i < end && i - from < 16; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + (c - 0x30);
  }
  const n = i - from;
  if (n === 0 || n > 15 || (n > 1 && s.charCodeAt(from) === 0x30)) return -1;
  digitsValue = v;
  return i;
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
  /**
   * `reader`: for a command that reads without the lock. Its scans end at the first line that is
   * not valid, without looking further: a writer may be committing a long append right then,
   * its checksums written first line to last, so a reader can find a line still under its
   * placeholder before one already valid. Such a reader never cuts anything off; a writer, which
   * holds the lock, still tells damage from a torn tail.
   */
  constructor(
    readonly file: string,
    private readonly reader = false,
  ) {}

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
   * Each line's entries as stored (see scanEntries), one array per line, as the file streams:
   * an export of a long history takes them a line at a time instead of holding them all.
   */
  async *entryLines(from: number): AsyncGenerator<OplogEntry[]> {
    for await (const [entries] of this.lines(from, decodeEntries)) yield entries;
  }

  private async scanLines<T>(from: number, decode: (line: Buffer) => T | undefined, onTxn: (txn: T, end: number) => void): Promise<ScanResult> {
    const result: ScanResult = { end: from, tornBytes: 0 };
    for await (const [txn, end] of this.lines(from, decode, result)) onTxn(txn, end);
    return result;
  }

  /**
   * Splits the file into lines as it streams, one line in memory at a time, yielding each
   * decoded line with the offset just after it; `result` gets the end and torn tail. After a
   * damaged line every further complete line is still checked: a valid one means the damage is
   * not a torn tail, whatever its size.
   */
  private async *lines<T>(from: number, decode: (line: Buffer) => T | undefined, result: ScanResult = { end: 0, tornBytes: 0 }): AsyncGenerator<[T, number]> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      result.end = 0;
      result.tornBytes = 0;
      return;
    }
    try {
      const total = (await fh.stat()).size;
      // One buffer for the whole scan, read into again and again: every line is decoded (into
      // strings) before the next read. A buffer per read and one more per line spanning two
      // reads, each freed only by a full collection, were most of a large export's peak memory.
      let buf = Buffer.allocUnsafe(READ_BYTES);
      let start = 0;
      let end = 0;
      let pos = from;
      let offset = from;
      let bad: number | undefined;
      for (;;) {
        const nl = buf.subarray(start, end).indexOf(NL);
        if (nl >= 0) {
          const lineBuf = buf.subarray(start, start + nl);
          start += nl + 1;
          if (bad !== undefined) {
            if (decode(lineBuf) !== undefined) {
              throw new ReplicaFormatError(path.dirname(this.file), `the oplog is damaged at byte ${bad} with valid entries after it; restore the replica from backup and run restorereplica`);
            }
            continue;
          }
          const txn = decode(lineBuf);
          if (txn === undefined) {
            if (this.reader) break;
            bad = offset;
            continue;
          }
          offset += nl + 1;
          yield [txn, offset];
          continue;
        }
        if (pos >= total) break;
        // The start of a line stays; a line longer than the buffer makes it grow.
        const partial = end - start;
        if (partial === buf.length) {
          const larger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(larger, 0, start, end);
          buf = larger;
        } else if (start > 0) buf.copy(buf, 0, start, end);
        start = 0;
        end = partial;
        const { bytesRead } = await fh.read(buf, end, Math.min(buf.length - end, total - pos), pos);
        if (bytesRead <= 0) break;
        end += bytesRead;
        pos += bytesRead;
      }
      result.end = offset;
      result.tornBytes = total - offset;
    } finally {
      await fh.close();
    }
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

  /**
   * Appends the entries of one local command durably as one line, whatever its size (see
   * OplogAppender): a command is all or nothing (an fsimport killed at any instant leaves the
   * tree as before or as after). Only imports, which a re-run completes, append in lines of
   * bounded size.
   */
  append(ops: readonly Op[]): number {
    const a = new OplogAppender(this.file, this.size(), Infinity);
    try {
      for (const op of ops) a.add(opJson(op));
    } catch (e) {
      a.abort();
      throw e;
    }
    return a.commit();
  }
}

/**
 * Line length at which an import's OplogAppender starts a new line: a scan holds one line at a
 * time. MULTISITE_OPLOG_LINE_BYTES sets another, for tests: a small import then commits many
 * lines, and a process killed at random points stops between them too.
 */
export const APPEND_LINE_BYTES = lineBytes(process.env.MULTISITE_OPLOG_LINE_BYTES) ?? 4 * 1024 * 1024;

function lineBytes(v: string | undefined): number | undefined {
  const n = v === undefined ? NaN : Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
const PLACEHOLDER = Buffer.from('XXXXXXXX\t');

/**
 * Appends the entries of one large import as several lines, written as they come and made
 * valid only by commit(): an import of any size then holds none of its entries, and no later
 * scan holds more than one line of about 4 MB. Every line is written under a placeholder
 * checksum (not hex, never valid), so until commit the whole append is a torn tail: a kill -9
 * loses it and the next writer cuts it off; abort() cuts it off at once. commit() writes the
 * checksums first to last, syncing after each: whatever a crash keeps is a prefix
 * of whole lines, each a transaction of entries in causal order, which an import re-run
 * completes (entries already applied are skipped by their ids).
 *
 * commit() writes no line when no entry was added.
 */
export class OplogAppender {
  private readonly fd: number;
  private readonly existed: boolean;
  private at: number;
  /** Each finished or current line: where its checksum goes and the checksum so far. */
  private readonly lines: Array<{ start: number; crc: number }> = [];
  private piece: string[] = [];
  private pieceLength = 0;
  private lineBytes = 0;
  private done = false;
  count = 0;

  constructor(
    private readonly file: string,
    readonly start: number,
    private readonly lineLimit = APPEND_LINE_BYTES,
  ) {
    this.existed = fs.existsSync(file);
    this.fd = fs.openSync(file, this.existed ? 'r+' : 'w+');
    // Anything past `start` is a torn tail the opener already cut off, or left by an abort.
    fs.ftruncateSync(this.fd, start);
    this.at = start;
  }

  /** Adds one entry's stored JSON (opJson). */
  add(json: string): void {
    if (this.lines.length === 0 || this.lineBytes >= this.lineLimit) this.newLine();
    const text = this.lineBytes === 0 ? json : `\t${json}`;
    this.piece.push(text);
    this.pieceLength += text.length;
    this.lineBytes += text.length;
    this.count++;
    if (this.pieceLength >= 1024 * 1024) this.flush();
  }

  /**
   * Makes the lines valid, durably; returns the oplog's new end. Every line's bytes are written
   * before the first checksum, so each sync makes its line whole and leaves the later ones as
   * placeholders: no sync is needed before the first checksum.
   */
  commit(): number {
    try {
      this.flush();
      if (this.lines.length > 0) this.writeRaw(Buffer.from('\n'));
      for (const l of this.lines) {
        fs.writeSync(this.fd, Buffer.from(l.crc.toString(16).padStart(8, '0')), 0, 8, l.start);
        fs.fsyncSync(this.fd);
      }
    } catch (e) {
      // Lines already made valid stay, as after a crash at that point; the rest is a torn tail.
      this.close();
      throw e;
    }
    this.close();
    return this.at;
  }

  /** Cuts everything this append wrote off again. */
  abort(): void {
    if (this.done) return;
    try {
      fs.ftruncateSync(this.fd, this.start);
    } finally {
      this.close();
    }
  }

  private newLine(): void {
    this.flush();
    if (this.lines.length > 0) this.writeRaw(Buffer.from('\n'));
    this.lines.push({ start: this.at, crc: 0 });
    this.writeRaw(PLACEHOLDER);
    this.lineBytes = 0;
  }

  private flush(): void {
    if (this.piece.length === 0) return;
    const buf = Buffer.from(this.piece.join(''));
    const line = this.lines[this.lines.length - 1];
    line.crc = crc32(buf, line.crc);
    this.writeRaw(buf);
    this.piece = [];
    this.pieceLength = 0;
  }

  private writeRaw(buf: Buffer): void {
    for (let off = 0; off < buf.length; ) off += fs.writeSync(this.fd, buf, off, buf.length - off, this.at + off);
    this.at += buf.length;
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    fs.closeSync(this.fd);
    if (!this.existed) fsyncDir(path.dirname(this.file));
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

/** The entries of a tab-separated line's text, each read at its place in the text (see entryAt). */
function entriesOf(text: string): OplogEntry[] {
  const out: OplogEntry[] = [];
  if (text === '') return out;
  for (let start = 0; ; ) {
    const tab = text.indexOf('\t', start);
    const end = tab < 0 ? text.length : tab;
    out.push(entryAt(text, start, end));
    if (tab < 0) return out;
    start = tab + 1;
  }
}

function decodeEntries(line: Buffer): OplogEntry[] | undefined {
  const body = checkedBody(line);
  if (!body) return undefined;
  try {
    if (body.tabbed) return entriesOf(body.text);
    const txn = JSON.parse(body.text) as OplogTxn;
    return Array.isArray(txn.ops) ? txn.ops.map((op) => entryOfOp(op)) : undefined;
  } catch {
    return undefined;
  }
}
