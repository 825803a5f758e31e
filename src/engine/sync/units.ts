import * as path from 'path';
import type { Readable } from 'stream';
import { OneEntryUnit, type BlobSource, type PacketRecord, type PacketUnit } from '../packet/types';
import type { BlobStore, LooseContent, PackedContent } from '../store/blobStore';
import type { Replica } from '../store/replica';
import type { OplogEntry } from '../store/oplog';
import { BlobDamagedError, BlobMissingError } from '../store/errors';
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
  /** Units made as the packet writer takes them, in batches; read once. */
  units: AsyncIterable<PacketUnit[]>;
  /** Entries and content sources made so far: the export's counts once `units` is read through. */
  readonly ops: number;
  readonly blobs: number;
}

/**
 * One oplog entry as a packet unit, made for each of the tens of thousands of entries an export
 * sends: the unit is its own record (the entry's JSON as stored, an EncodedRecordText) and, for
 * a version, its own content source, read positionally from its pack or loose file as it is
 * kept (deflated or not). One object per entry instead of six (unit, two arrays, record,
 * source, deflated size): they all live until the packet is written, and copying them between
 * the heap's generations was a third of a large export's garbage collection. The writer reads
 * it as a OneEntryUnit, through `content`.
 */
class EntryUnit extends OneEntryUnit implements BlobSource {
  readonly trusted = true;
  /** Where packed content is, kept here rather than as the store's lookup result (an object per entry). */
  private readonly pack: string | undefined;
  private readonly packOffset: number;
  /** Bytes on disk when kept raw-deflated (packed or loose); undefined when kept as it is. */
  private readonly deflatedSize: number | undefined;

  constructor(
    e: OplogEntry,
    private readonly store: BlobStore | undefined,
    packed: PackedContent | undefined,
    private readonly loose: LooseContent | undefined,
    readonly hash: string,
    readonly size: number,
  ) {
    super(e.origin, e.id, e.json);
    this.pack = packed?.pack;
    this.packOffset = packed ? packed.offset : 0;
    this.deflatedSize = packed ? packed.deflated : loose?.deflated;
  }

  get content(): BlobSource | undefined {
    return this.store ? this : undefined;
  }

  get deflated(): { bytes: number } | undefined {
    return this.deflatedSize !== undefined ? { bytes: this.deflatedSize } : undefined;
  }

  /**
   * Kept as it is by a store that deflates what pays (packs and, since storage format 2, loose
   * files): -compress sends it as it is. Raw loose files of older stores are taken the same way.
   */
  get keptRaw(): boolean {
    return this.deflatedSize === undefined;
  }

  open(): Readable {
    return this.storeOf().openStored(this.hash);
  }

  readSync(buf: Buffer, offset: number, length: number, position: number): number {
    const store = this.storeOf();
    if (this.pack !== undefined) {
      const bytes = this.deflatedSize ?? this.size;
      const n = store.readPackedAt(this.pack, this.packOffset, bytes, buf, offset, length, position);
      // Nothing where the index says content is: the pack ends early (damaged, cut short).
      if (n === 0 && length > 0) throw new BlobDamagedError(this.hash, store.dir, `its pack ${path.basename(this.pack)} ends before its ${bytes} bytes`);
      return n;
    }
    if (this.loose) return store.readLoose(this.loose, buf, offset, length, position);
    throw new BlobMissingError(this.hash, store.dir);
  }

  private storeOf(): BlobStore {
    if (!this.store) throw new Error(`oplog entry ${this.origin}:${this.id} carries no content`);
    return this.store;
  }
}

/**
 * Units made at a time, at most: each batch is written and dropped before the next is made, and
 * one step of the writer's iteration per batch rather than per unit.
 */
const UNIT_BATCH = 1024;

/**
 * One unit per oplog entry the target(s) lack (id > from[origin]), in this replica's oplog
 * order, which is causal; a version's content goes in the entry's own unit, read from the blob
 * store when the packet is written. Units are made as the writer takes them, from the oplog
 * read a line at a time, so none lives until the packet is written. Content missing
 * from the store is found as its unit is made, and fails the export there (BlobMissingError,
 * naming the first missing hash; the writer removes what it wrote).
 */
export async function collectUnits(r: Replica, from: Record<string, number>, leading: PacketRecord[] = []): Promise<CollectedUnits> {
  return new UnitCollector(r, from, leading);
}

class UnitCollector implements CollectedUnits, AsyncIterable<PacketUnit[]> {
  ops = 0;
  blobs = 0;
  private used = false;

  constructor(
    private readonly r: Replica,
    private readonly from: Record<string, number>,
    private readonly leading: PacketRecord[],
  ) {}

  get units(): AsyncIterable<PacketUnit[]> {
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PacketUnit[]> {
    if (this.used) throw new Error('the units of an export are read once');
    this.used = true;
    if (this.leading.length) yield [{ records: this.leading, blobs: [] }];
    for await (const line of this.r.entryLines()) {
      for (let i = 0; i < line.length; i += UNIT_BATCH) {
        const batch = this.make(line, i, Math.min(line.length, i + UNIT_BATCH));
        if (batch.length) yield batch;
      }
    }
  }

  private make(entries: readonly OplogEntry[], start: number, end: number): PacketUnit[] {
    const r = this.r;
    const from = this.from;
    const units: PacketUnit[] = [];
    for (let i = start; i < end; i++) {
      const e = entries[i];
      if (e.id <= (from[e.origin] ?? 0)) continue;
      this.ops++;
      // The entry travels as it is stored, not parsed and encoded again.
      if (e.kind === 'version.create' && e.blob !== undefined && e.size !== undefined && e.size > 0) {
        const hash = e.blob;
        const packed = r.blobs.packed(hash);
        const loose = packed ? undefined : r.blobs.loose(hash, e.size);
        // Content in the store was hashed as it was written (BlobBatch.put/putFile): trusted.
        if (!packed && !loose) this.missing(hash);
        units.push(new EntryUnit(e, r.blobs, packed, loose, hash, e.size));
        this.blobs++;
        continue;
      }
      if (e.kind === 'version.create' && e.blob !== EMPTY_BLOB) this.missing(e.blob ?? '(none)');
      units.push(new EntryUnit(e, undefined, undefined, undefined, '', 0));
    }
    return units;
  }

  private missing(hash: string): never {
    const hidden = this.r.blobs.unreadableIndexes;
    throw new BlobMissingError(hash, this.r.name, hidden.length ? `the pack index ${hidden[0]} is damaged or was written by a newer version` : undefined);
  }
}
