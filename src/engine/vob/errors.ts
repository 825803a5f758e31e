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

/** checkin of data identical to the predecessor's, without -identical (as the original refuses). */
export class IdenticalVersionError extends MultiSiteError {
  constructor(readonly path: string, readonly predecessor: string) {
    super(`By default, won't create version with data identical to predecessor: "${path}" is unchanged from version "${predecessor}"; use -identical to check it in anyway.`);
  }
}
