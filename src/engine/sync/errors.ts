import { MultiSiteError } from '../errors';

export class SelfUpdateError extends MultiSiteError {
  constructor(readonly replica: string) {
    super(`A replica cannot update itself: "${replica}".`);
  }
}

export class ReplicaNotFoundError extends MultiSiteError {
  constructor(readonly replica: string, readonly tag: string) {
    super(`Replica "${replica}" not found in the family of VOB "${tag}"; see "multitool lsreplica -invob ${tag}".`);
  }
}

export class ReplicaExistsError extends MultiSiteError {
  constructor(readonly replica: string) {
    super(`Replica ${replica} already exists.`);
  }
}

/** A packet (or entry) needs oplog entries the target has not received yet. */
export class MissingPredecessorError extends MultiSiteError {
  constructor(readonly packet: string, readonly wanted: number, readonly have: number, readonly replica: string) {
    super(`Packet requires changes up to ${wanted}; VOB has only ${have} from replica "${replica}".`);
  }
}

export class IncarnationError extends MultiSiteError {
  constructor(readonly replica: string, readonly packetIncarnation: number, readonly actual: number) {
    super(`Replica incarnation for "${replica}" is old: ${packetIncarnation} should be ${actual}.`);
  }
}

export class EpochError extends MultiSiteError {}
export class NeedsConnectionError extends MultiSiteError {}
export class SelectorError extends MultiSiteError {}
