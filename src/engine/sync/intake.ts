import type { BlobBatch } from '../store/blobStore';
import type { Replica } from '../store/replica';
import { readPacketEntries } from '../packet/reader';
import type { HostKeyLookup, PacketRecord } from '../packet/types';

export interface PacketIntake {
  records: PacketRecord[];
  /** The packet's new content, staged but not committed: the caller commits once it applies the records. */
  batch: BlobBatch;
}

/**
 * Reads a packet into a replica: its content streams into a staged blob batch (content-addressed,
 * so a later failure costs nothing but the staging) and its records are collected. The
 * records are returned only after the whole body was read and its hash and signature held,
 * so nothing is applied from a packet that turns out damaged. On failure the batch is dropped.
 */
export async function readPacketInto(r: Replica, file: string, keys: HostKeyLookup): Promise<PacketIntake> {
  const records: PacketRecord[] = [];
  const batch = r.blobs.batch();
  try {
    for await (const e of readPacketEntries(file, keys)) {
      if (e.type === 'record') records.push(e.record);
      // Kept as it travelled (deflated content stays deflated); the reader has checked its hash.
      else if (!r.blobs.has(e.hash, e.size)) await batch.putStored(e, e.data ?? (e.stream as AsyncIterable<Buffer>));
    }
  } catch (e) {
    await batch.abort();
    throw e;
  }
  return { records, batch };
}
