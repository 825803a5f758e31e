import { openPacket, readBody } from './reader';
import type { HostKeyLookup, PacketHeader } from './types';

/**
 * Checks a packet completely without applying anything: header shape and version, exact file
 * size, the sending host's signature, the body checksum, and the body's framing and content
 * hashes. Returns the header; throws the specific PacketError otherwise.
 */
export async function verifyPacket(file: string, keyLookup: HostKeyLookup): Promise<PacketHeader> {
  const opened = await openPacket(file, keyLookup);
  // Content nobody reads is drained and hash-checked by the reader itself.
  for await (const entry of readBody(file, opened)) void entry;
  return opened.header;
}
