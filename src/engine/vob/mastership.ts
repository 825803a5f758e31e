import type { Replica } from '../store/replica';
import { lookup, type VobState } from '../store/vobState';
import { NotMasterError, ReplicaRecoveringError } from './errors';

/**
 * Who may change what. Every object has one master replica; only it changes the object, so
 * replicas never conflict. A branch is mastered by its branch type's master unless chmaster
 * gave that branch its own. Elements and type names live in the VOB root directory, whose
 * /main branch follows branch type "main": creating them needs "main"'s mastership, which is
 * what keeps two replicas from creating the same name.
 */
export interface MasterInfo {
  master: string;
  /** How the mastership was found, for the message: `branch type "main"`, `branch "a.c@@/main"`. */
  describedAs: string;
}

export function branchMaster(state: VobState, path: string, branch: string): MasterInfo {
  const br = lookup(state.elements, path)?.branches[branch];
  if (br?.master) return { master: br.master, describedAs: `branch "${path}@@${branch}"` };
  const type = branch.slice(branch.lastIndexOf('/') + 1);
  return { master: lookup(state.brtypes, type)?.master ?? '', describedAs: `branch type "${type}"` };
}

export function brtypeMaster(state: VobState, name: string): MasterInfo {
  return { master: lookup(state.brtypes, name)?.master ?? '', describedAs: `branch type "${name}"` };
}

export function lbtypeMaster(state: VobState, name: string): MasterInfo {
  return { master: lookup(state.lbtypes, name)?.master ?? '', describedAs: `label type "${name}"` };
}

/** The VOB root's namespace (elements, type names) follows branch type "main". */
export function namespaceMaster(state: VobState): MasterInfo {
  return brtypeMaster(state, 'main');
}

export function assertNotRecovering(r: Replica): void {
  const rec = r.epochs.recovery;
  if (rec && rec.waitingFor.length > 0) throw new ReplicaRecoveringError(r.name, rec.waitingFor.map((o) => r.nameOf(o)));
}

export function requireMaster(r: Replica, info: MasterInfo, action: string, object: string): void {
  assertNotRecovering(r);
  if (info.master !== r.oid) throw new NotMasterError(action, object, r.name, info.describedAs, r.nameOf(info.master));
}
