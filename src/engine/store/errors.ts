import { MultiSiteError } from '../errors';

/** The replica is held by another command and did not come free in time. */
export class ReplicaLockedError extends MultiSiteError {
  constructor(readonly replica: string, readonly holder: string, readonly seconds: number) {
    super(`Replica "${replica}" is locked by ${holder}; gave up after ${seconds} s. Try again when that command has finished.`);
  }
}

/** The directory is not replica storage, or its identity cannot be read. */
export class NotAReplicaError extends MultiSiteError {
  constructor(readonly dir: string, reason: string) {
    super(`${dir} is not a replica storage directory: ${reason}.`);
  }
}

/** Replica storage was written by a newer or unknown format. */
export class ReplicaFormatError extends MultiSiteError {
  constructor(readonly dir: string, reason: string) {
    super(`Cannot open replica storage ${dir}: ${reason}.`);
  }
}

/** A stored content blob is missing or does not hash to its name. */
export class BlobMissingError extends MultiSiteError {
  constructor(readonly hash: string, readonly replica: string, cause?: string) {
    super(`Content ${hash} is missing from replica "${replica}"${cause ? ` (${cause})` : ''}; restore the replica from backup or re-import the packet that carried it.`);
  }
}

/** Stored content is not what its store recorded (a loose file of another size). */
export class BlobDamagedError extends MultiSiteError {
  constructor(readonly hash: string, readonly dir: string, reason: string) {
    super(`Content ${hash} in ${dir} is damaged: ${reason}; restore the replica from backup.`);
  }
}

/** Content arriving under a hash does not hash to it. */
export class BlobHashMismatchError extends MultiSiteError {
  constructor(readonly expected: string, readonly actual: string) {
    super(`Content announced as ${expected} hashes to ${actual}; it was not stored.`);
  }
}
