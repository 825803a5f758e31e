import type { BlobBatch } from '../store/blobStore';
import { opJson, type OplogAppender } from '../store/oplog';
import { BadRecordError, type Op } from '../store/ops';
import { EMPTY_BLOB } from '../store/blobStore';
import type { Replica } from '../store/replica';
import { PacketChangedError } from '../packet/errors';
import { openPacket, readBody } from '../packet/reader';
import type { HostKeyLookup, PacketHeader, PacketRecord } from '../packet/types';
import { MastershipCheck, type MastershipViolation } from '../vob/entryMastership';

export interface PacketIntake<T = PacketRecord> {
  /** What `take` kept of the records, in packet order. */
  records: T[];
  /** The packet's new content, staged but not committed: the caller commits once it applies the records. */
  batch: BlobBatch;
}

/**
 * Reads a packet into a replica: its content streams into a staged blob batch (content-addressed,
 * so a later failure costs nothing but the staging) and its records are collected. The
 * records are returned only after the whole body was read and its hash and signature held,
 * so nothing is applied from a packet that turns out damaged. On failure the batch is dropped.
 *
 * `take` turns each record into what the caller keeps (undefined: nothing) as it is read: an
 * import of tens of thousands of entries then never holds the records and the entries made of
 * them at once (the records, long-lived enough to reach the heap's old generation, were half
 * of its peak memory).
 *
 * `expect` is the header the caller read earlier and decided on (target, incarnation, origin,
 * signer): the header whose signature is checked here must be the same, or the file was
 * replaced meanwhile and checks made on the old header would vouch for the new body.
 */
export async function readPacketInto<T = PacketRecord>(
  r: Replica,
  file: string,
  keys: HostKeyLookup,
  take: (rec: PacketRecord, carried: CarriedContent) => T | undefined = (rec) => rec as T,
  expect?: PacketHeader,
): Promise<PacketIntake<T>> {
  const opened = await openPacket(file, keys);
  if (expect && JSON.stringify(opened.header) !== JSON.stringify(expect)) throw new PacketChangedError(file);
  const records: T[] = [];
  const carried = new CarriedContent();
  const batch = r.blobs.batch();
  try {
    for await (const e of readBody(file, opened)) {
      if (e.type === 'record') {
        const kept = take(e.record, carried);
        if (kept !== undefined) records.push(kept);
        continue;
      }
      carried.add(e.hash, e.size);
      // Kept as it travelled (deflated content stays deflated); the reader has checked its hash.
      // Content the store already has is read past, not stored again (putStored checks).
      await batch.putStored(e, e.data ?? (e.stream as AsyncIterable<Buffer>));
    }
  } catch (e) {
    await batch.abort();
    throw e;
  }
  return { records, batch };
}

/**
 * Content a packet carried that no entry has named yet. An export sends every new version's
 * content in the version's own unit, before its entry (with -compress, entries come in groups a
 * little later): so only a few units' content waits here, and an entry naming content that is
 * neither here nor in the store would make a version without content.
 */
export class CarriedContent {
  private readonly waiting = new Map<string, { size: number; copies: number }>();

  add(hash: string, size: number): void {
    const w = this.waiting.get(hash);
    if (w && w.size === size) w.copies++;
    else if (!w) this.waiting.set(hash, { size, copies: 1 });
  }

  /** Whether the packet carried this content for the entry naming it (each copy is named once). */
  claim(hash: string, size: number): boolean {
    const w = this.waiting.get(hash);
    if (!w || w.size !== size) return false;
    if (--w.copies === 0) this.waiting.delete(hash);
    return true;
  }
}

/**
 * Why a new version from a packet may not be applied: its content is neither carried by the
 * packet (claimed from `carried`) nor in the replica's store. Undefined for anything else.
 */
export function missingContent(r: Replica, op: Op, carried: CarriedContent, nameOf: (oid: string) => string): BadRecordError | undefined {
  if (op.kind !== 'version.create') return undefined;
  if (op.size === 0 ? op.blob === EMPTY_BLOB : carried.claim(op.blob, op.size) || r.blobs.has(op.blob, op.size)) return undefined;
  return new BadRecordError(
    `entry ${op.id} from replica "${nameOf(op.origin)}" (new version "${op.path}@@${op.branch}/${op.n}") names content ${op.blob.slice(0, 16)}... of ${op.size} bytes that the packet does not carry and this replica does not have`,
  );
}

/**
 * Entries from a packet, each checked against mastership as of that entry (MastershipCheck) and
 * appended to the replica's oplog uncommitted (Replica.beginAppend, a skeleton open). Only the
 * few that change the skeleton (new elements, branches, types, mastership) are kept, to apply at
 * commit: nothing else is held per entry, whatever the packet's size.
 */
export class CheckedAppend {
  private readonly mastership: MastershipCheck;
  private readonly appender: OplogAppender;
  private readonly changed: Op[] = [];

  constructor(
    private readonly r: Replica,
    nameOf: (oid: string) => string,
  ) {
    this.mastership = new MastershipCheck(r.state, nameOf);
    this.appender = r.beginAppend();
  }

  /** Entries appended. */
  get count(): number {
    return this.appender.count;
  }

  /** Appends `op`, or says why it may not be (then it is not). */
  add(op: Op): MastershipViolation | undefined {
    const changesSkeleton = this.mastership.changesSkeleton(op);
    const violation = this.mastership.check(op);
    if (violation) return violation;
    this.appender.add(opJson(op));
    if (changesSkeleton) this.changed.push(op);
    return undefined;
  }

  /** Commits the entries; `row` is the own row with them. */
  commit(row: Record<string, number>): void {
    this.r.commitAppend(this.appender, row, this.changed);
  }

  /** Drops what was appended; nothing once committed (so it belongs in a finally). */
  abort(): void {
    this.appender.abort();
  }
}
