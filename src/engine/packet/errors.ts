import { MultiSiteError } from '../errors';

/**
 * Packet failures, one class per kind, each carrying the packet path and the facts. Messages
 * follow the original's wording where it has one (`File X is not a sync. packet`,
 * `Cannot read header of packet X: ...`).
 */
export class PacketError extends MultiSiteError {
  constructor(readonly packet: string, message: string) {
    super(message);
  }
}

/** The file does not start with the packet magic: not a packet at all. */
export class NotAPacketError extends PacketError {
  constructor(packet: string, readonly reason?: string) {
    super(packet, `File ${packet} is not a sync. packet${reason ? ` (${reason})` : ''}.`);
  }
}

/** The header cannot be read or does not have the expected shape or version. */
export class PacketHeaderError extends PacketError {
  constructor(packet: string, readonly reason: string) {
    super(packet, `Cannot read header of packet ${packet}: ${reason}.`);
  }
}

/** The bytes do not match what the signed header says: truncated, extended, altered, malformed body. */
export class PacketIntegrityError extends PacketError {
  constructor(packet: string, readonly reason: string) {
    super(packet, `Packet ${packet} is damaged: ${reason}; it cannot be applied. Ask the sender to export it again.`);
  }
}

/** Signed by a host this host has no key for. */
export class UnknownSenderError extends PacketError {
  constructor(packet: string, readonly host: string) {
    super(packet, `Packet ${packet} was signed by host "${host}", which is not a known peer of this host; add it with "multitool addpeer ${host} ...".`);
  }
}

/** The signature does not verify with the sending host's key. */
export class PacketSignatureError extends PacketError {
  constructor(packet: string, readonly host: string) {
    super(packet, `Packet ${packet} has a bad signature for host "${host}": its header was altered or it was not signed by that host.`);
  }
}

/**
 * The file is no longer the packet whose header was read when the import chose what to do with
 * it (replaced or rewritten meanwhile): nothing is applied, and it is neither quarantined (it
 * may be a good packet) nor removed; the next import reads it afresh.
 */
export class PacketChangedError extends MultiSiteError {
  constructor(readonly packet: string) {
    super(`Packet ${packet} changed while it was being imported; nothing was applied from it: import it again.`);
  }
}

/** Writing a packet failed for a reason the user can act on (content changed, name taken, bad name). */
export class PacketWriteError extends PacketError {
  constructor(packet: string, readonly reason: string) {
    super(packet, `Cannot write packet ${packet}: ${reason}.`);
  }
}

/** Moving a bad packet aside failed. */
export class QuarantineError extends PacketError {
  constructor(packet: string, readonly reason: string) {
    super(packet, `Cannot quarantine packet ${packet}: ${reason}.`);
  }
}
