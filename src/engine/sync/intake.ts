import type { BlobBatch } from '../store/blobStore';
import type { Replica } from '../store/replica';
import { readPacketEntries } from '../packet/reader';
import type { HostKeyLookup, PacketRecord } from '../packet/types';

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
 */
export async function readPacketInto<T = PacketRecord>(r: Replica, file: string, keys: HostKeyLookup, take: (rec: PacketRecord) => T | undefined = (rec) => rec as T): Promise<PacketIntake<T>> {
  const records: T[] = [];
  const batch = r.blobs.batch();
  try {
    for await (const e of readPacketEntries(file, keys)) {
      if (e.type === 'record') {
        const kept = take(e.record);
        if (kept !== undefined) records.push(kept);
      }
      // Kept as it travelled (deflated content stays deflated); the reader has checked its hash.
      // Content the store already has is read past, not stored again (putStored checks).
      else await batch.putStored(e, e.data ?? (e.stream as AsyncIterable<Buffer>));
    }
  } catch (e) {
    await batch.abort();
    throw e;
  }
  return { records, batch };
}
