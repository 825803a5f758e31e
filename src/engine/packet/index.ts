/** The packet module's public API (contract types in ./types). */
export * from './types';
export * from './errors';
export { readPacketHeader, readPacketHeaderSync, validateHeader } from './header';
export { writePacket } from './writer';
export { readPacketEntries, openPacket, hashBody } from './reader';
export { verifyPacket } from './verify';
export { quarantine, quarantineDir, type Quarantined } from './quarantine';
export { formatPacket, packetFilesIn, defaultBayDirs, readHeaders, packetTypeName, type ListingFormat, type FormatOptions } from './lspacket';
export { encodeUnit } from './split';
export { MAGIC, MAX_HEADER_BYTES, MAX_RECORD_BYTES } from './format';
