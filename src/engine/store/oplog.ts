import * as fs from 'fs';
import * as path from 'path';
import { crc32 } from 'zlib';
import { fsyncDir } from './durable';
import { ReplicaFormatError } from './errors';
import type { Op } from './ops';

/**
 * The operation log, the replica's source of truth: an append-only file of transactions, one
 * line each, `<crc32 hex> <json>\n`. A transaction is all entries of one command (one import,
 * one fsimport), so a kill -9 keeps it whole or not at all: a torn last line fails its checksum
 * and is cut off when the replica is next opened by a writer.
 */
export interface OplogTxn {
  ops: Op[];
}

export interface ScanResult {
  /** Byte offset just after the last valid transaction. */
  end: number;
  /** Bytes after `end` that were not a valid transaction (a torn tail). */
  tornBytes: number;
}

const NL = 0x0a;

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
  async scan(from: number, onTxn: (txn: OplogTxn, end: number) => void): Promise<ScanResult> {
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
        const txn = decodeLine(lineBuf);
        if (!txn) {
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
      if (rest.some((l) => decodeLine(Buffer.from(l, 'latin1')) !== undefined)) {
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
    const json = JSON.stringify({ ops });
    const body = Buffer.from(json);
    const line = Buffer.concat([Buffer.from(`${crc32(body).toString(16).padStart(8, '0')} `), body, Buffer.from('\n')]);
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

function decodeLine(line: Buffer): OplogTxn | undefined {
  if (line.length < 10 || line[8] !== 0x20) return undefined;
  const want = line.subarray(0, 8).toString('latin1');
  const body = line.subarray(9);
  if (crc32(body).toString(16).padStart(8, '0') !== want) return undefined;
  try {
    const txn = JSON.parse(body.toString('utf8')) as OplogTxn;
    return Array.isArray(txn.ops) ? txn : undefined;
  } catch {
    return undefined;
  }
}
