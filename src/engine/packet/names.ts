import * as path from 'path';
import { HostilePathError } from '../errors';
import { isoNameStamp } from './format';
import type { PacketKind } from './types';

/**
 * Physical packet names. Generated names follow the original (`sync_<replica>_<stamp>_<pid>_<n>`,
 * `repl_...` for replica creation) with a per-process counter for n, so two exports of one
 * process in the same second still get distinct names.
 */
let counter = 0;

export function generatedName(kind: PacketKind, replica: string, when: Date): string {
  counter += 1;
  return `${kind === 'creation' ? 'repl' : 'sync'}_${safePart(replica)}_${isoNameStamp(when)}_${process.pid}_${counter}`;
}

/** Replica names are user text; keep a generated file name to one plain path component. */
function safePart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}

/** Names of the fragments of a named (-out) packet: the name itself, or `<name>_<i>` when split. */
export function fragmentNames(fileName: string, count: number): string[] {
  checkFileName(fileName);
  if (count === 1) return [fileName];
  return Array.from({ length: count }, (_, i) => `${fileName}_${i + 1}`);
}

/** A packet file name must be one path component: no separators, not `.` or `..`. */
export function checkFileName(fileName: string): void {
  if (fileName === '' || fileName === '.' || fileName === '..') throw new HostilePathError(fileName, 'a packet file name must be a plain file name');
  if (fileName.includes('/') || fileName.includes('\\') || fileName.includes('\0') || path.basename(fileName) !== fileName) {
    throw new HostilePathError(fileName, 'a packet file name must not contain a directory part');
  }
}
