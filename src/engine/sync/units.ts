import type { Readable } from 'stream';
import { EncodedRecordText, type BlobSource, type PacketRecord, type PacketUnit } from '../packet/types';
import type { BlobStore, PackedContent } from '../store/blobStore';
import type { Replica } from '../store/replica';
import type { OplogEntry } from '../store/oplog';
import { BlobMissingError } from '../store/errors';
import { EMPTY_BLOB } from '../store/blobStore';

/**
 * A record that is not an oplog entry: the sender's incarnation and actual row, carried by
 * every packet of a replica that has been restored, so siblings learn the new incarnation and
 * roll their estimate back to what the replica really has (and resend the rest).
 */
export interface IncarnationNotice {
  kind: 'replica.incarnation';
  replica: string;
  incarnation: number;
  row: Record<string, number>;
}

export function incarnationNotice(r: Replica): IncarnationNotice {
  return { kind: 'replica.incarnation', replica: r.oid, incarnation: r.identity.incarnation, row: { ...r.ownRow() } };
}

export interface CollectedUnits {
  units: PacketUnit[];
  ops: number;
  blobs: number;
}

/** Shared by every unit without content (never added to: a unit is built whole). */
const NO_CONTENT: BlobSource[] = [];

/**
 * Packed content as a packet's source, read positionally as it is kept (deflated or not). One
 * object per version with its methods shared: an export of tens of thousands of versions made
 * several closures each, and their garbage showed in its profile.
 */
class PackedBlob implements BlobSource {
  readonly trusted = true;
  readonly deflated?: { bytes: number };

  constructor(private readonly store: BlobStore, private readonly entry: PackedContent, readonly hash: string, readonly size: number) {
    if (entry.deflated !== undefined) this.deflated = { bytes: entry.deflated };
  }

  open(): Readable {
    return this.store.openStored(this.hash);
  }

  readSync(buf: Buffer, offset: number, length: number, position: number): number {
    return this.store.readPacked(this.entry, buf, offset, length, position);
  }
}

/** Loose content (kept as it is) as a packet's source, read positionally like packed content. */
class LooseBlob implements BlobSource {
  readonly trusted = true;

  constructor(private readonly store: BlobStore, readonly hash: string, readonly size: number) {}

  open(): Readable {
    return this.store.open(this.hash);
  }

  readSync(buf: Buffer, offset: number, length: number, position: number): number {
    return this.store.readLoose(this.hash, this.size, buf, offset, length, position);
  }
}

/**
 * One unit per oplog entry the target(s) lack (id > from[origin]), in this replica's oplog
 * order, which is causal; a version's content goes in the entry's own unit, streamed from the
 * blob store when the packet is written.
 */
export async function collectUnits(r: Replica, from: Record<string, number>, leading: PacketRecord[] = []): Promise<CollectedUnits> {
  const units: PacketUnit[] = leading.length ? [{ records: leading, blobs: [] }] : [];
  let ops = 0;
  let blobs = 0;
  const missing: string[] = [];
  const visit = (e: OplogEntry): void => {
    if (e.id <= (from[e.origin] ?? 0)) return;
    ops++;
    let content: BlobSource | undefined;
    if (e.kind === 'version.create' && e.blob !== undefined && e.size !== undefined && e.size > 0) {
      const hash = e.blob;
      const packed = r.blobs.packed(hash);
      // Content in the store was hashed as it was written (BlobBatch.put/putFile): trusted.
      if (packed) content = new PackedBlob(r.blobs, packed, hash, e.size);
      else {
        if (!r.blobs.has(hash)) missing.push(hash);
        content = new LooseBlob(r.blobs, hash, e.size);
      }
      blobs++;
    } else if (e.kind === 'version.create' && e.blob !== EMPTY_BLOB) {
      missing.push(e.blob ?? '(none)');
    }
    // The entry travels as it is stored, not parsed and encoded again.
    units.push({ records: [new EncodedRecordText(e.origin, e.id, e.json)], blobs: content ? [content] : NO_CONTENT });
  };
  // Entries kept when the replica was opened cover this export if it starts at or above their floor.
  const kept = r.retained;
  if (kept && Object.entries(kept.floor).every(([c, f]) => (from[c] ?? 0) >= f)) for (const e of kept.entries) visit(e);
  else await r.forEachEntry(visit);
  if (missing.length) {
    const hidden = r.blobs.unreadableIndexes;
    throw new BlobMissingError(missing[0], r.name, hidden.length ? `the pack index ${hidden[0]} is damaged or was written by a newer version` : undefined);
  }
  return { units, ops, blobs };
}
