import { MultiSiteError } from '../errors';

/** A change attempted at a replica that does not master the object (DESIGN invariant 1). */
export class NotMasterError extends MultiSiteError {
  constructor(readonly action: string, readonly object: string, readonly replica: string, readonly masterOf: string, readonly master: string) {
    super(`Unable to ${action} ${object} in replica "${replica}": master replica of ${masterOf} is "${master}".`);
  }
}

export class ReplicaRecoveringError extends MultiSiteError {
  constructor(readonly replica: string, readonly waitingFor: string[]) {
    super(
      `Unable to change replica "${replica}": it is recovering after restorereplica and waits for an update packet from ${waitingFor.map((w) => `"${w}"`).join(', ')}; import their packets first (only syncreplica -import may change it meanwhile).`,
    );
  }
}

export class ObjectNotFoundError extends MultiSiteError {}
export class ObjectExistsError extends MultiSiteError {}
export class BadSelectorError extends MultiSiteError {}
