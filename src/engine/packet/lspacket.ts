import * as fs from 'fs';
import * as path from 'path';
import { oneLine } from '../oneLine';
import { readPacketHeaderSync } from './header';
import type { PacketHeader } from './types';

/**
 * What lspacket prints, in the original's words (domain notes §4). Pure formatting plus the
 * listing of packet directories; the command in src/cli only wires options to these.
 */
export type ListingFormat = 'default' | 'long' | 'short';

export interface FormatOptions {
  format: ListingFormat;
  /** With -long: also print each referenced replica's last oplog id. */
  endrange?: boolean;
  /** This host's name, to mark targets local or not; undefined = cannot tell (the bracket is left out). */
  localHost?: string;
  /**
   * Replica oid -> VOB tag on this host. The sender cannot know the tag a receiving host mounts
   * a VOB under, so the receiver fills it in, as the original prints `tag:` for local targets.
   */
  localTags?: ReadonlyMap<string, string>;
}

export function packetTypeName(kind: PacketHeader['kind']): string {
  return kind === 'creation' ? 'Replica Creation' : 'Update';
}

// lspacket reads headers without checking signatures (that is import's work), so any text in
// them, and a bay file's name, may come from anyone: every one is shown as one line.
export function formatPacket(file: string, h: PacketHeader, opts: FormatOptions): string[] {
  if (opts.format === 'short') return [oneLine(file)];
  const lines = [
    `Packet is: ${oneLine(file)}`,
    `Packet type: ${packetTypeName(h.kind)}`,
    `VOB family identifier is: ${oneLine(h.familyOid)}`,
    `Comment supplied at packet creation is: ${oneLine(h.comment.replace(/\r?\n/g, ' '))}`.trimEnd(),
    'Packet intended for the following targets:',
  ];
  for (const t of h.targets) {
    const where = opts.localHost === undefined ? '' : t.host === opts.localHost ? ' [ local to this network ]' : ' [ not local to this network ]';
    // A tag neither the sender nor this host knows is left out.
    const tag = t.vobTag || opts.localTags?.get(t.oid);
    lines.push(`  ${oneLine(t.name)}${where}${tag ? ` tag: ${oneLine(tag)}` : ''}`);
  }
  if (opts.format === 'long') {
    lines.push('Originating replica is:', `  ${oneLine(h.origin.name)} (${oneLine(h.origin.oid)})`);
    lines.push('The following replicas are referenced by this packet:');
    for (const r of h.ranges) {
      lines.push(`  ${oneLine(r.name === r.oid ? r.oid : `${r.name} (${r.oid})`)}`, `    first oplog id is ${r.firstOplogId}`);
      if (opts.endrange) lines.push(`    last oplog id is ${r.lastOplogId}`);
      lines.push(`    incarnation is ${r.incarnation}`);
    }
    lines.push(`The major packet version is ${h.major}, the minor packet version is ${h.minor}`);
  }
  lines.push(`The packet sequence number is ${h.sequence}`);
  if (opts.format === 'long') {
    lines.push(`Packet fragment: ${h.fragment.index} of ${h.fragment.count}`, `Packet identifier is: ${oneLine(h.packetId)}`);
  }
  return lines;
}

/**
 * Packet candidates in a directory, sorted by name: regular files and links to them. Hidden
 * files (a writer's temporary files) and shipping orders (`sh_o_*`), which share the bays, are
 * not packets and are left out, as is the `NAME.reason` that quarantine writes beside packet
 * NAME (listing the quarantine folder named each as "not a sync. packet", exit 1).
 */
export function packetFilesIn(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name.startsWith('sh_o_')) continue;
    if (e.name.endsWith(REASON_SUFFIX) && names.has(e.name.slice(0, -REASON_SUFFIX.length))) continue;
    const full = path.join(dir, e.name);
    if (e.isFile() || (e.isSymbolicLink() && !linksToDirectory(full))) out.push(full);
  }
  return out.sort();
}

const REASON_SUFFIX = '.reason';

/** A dangling or looping link is kept, so lspacket reports it; a link to a directory is not a packet. */
function linksToDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Incoming and outgoing directories of the host's default storage and return bays. */
export function defaultBayDirs(home: string): string[] {
  const dirs: string[] = [];
  for (const bay of ['ms_ship', 'ms_rtn']) for (const side of ['incoming', 'outgoing']) dirs.push(path.join(home, 'shipping', bay, side));
  return dirs;
}

export interface ListedPacket {
  file: string;
  header?: PacketHeader;
  error?: unknown;
}

/** Reads the headers of the given files; a file that fails is returned with its error. */
export function readHeaders(files: readonly string[]): ListedPacket[] {
  return files.map((file) => {
    try {
      return { file, header: readPacketHeaderSync(file) };
    } catch (error) {
      return { file, error };
    }
  });
}
