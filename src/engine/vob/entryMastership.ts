import type { Op } from '../store/ops';
import { lookup, type VobState } from '../store/vobState';
import type { MasterInfo } from './mastership';

/**
 * Mastership of imported entries. The originating replica checks mastership before it records
 * a change (mastership.ts), but an importer must not trust that: a configured, correctly signing
 * peer could ship a change made at a replica that does not master the object. So each entry to
 * be applied is checked against mastership *as of that entry*: the replica's state plus the
 * entries before it in the same batch, which are in causal order (a chmaster followed by the
 * new master's changes, entries of several origins forwarded by a hub).
 *
 * Why the importer's view is the originator's: only an object's master hands its mastership on,
 * so the changes of one object's mastership form a single causal chain. Every handover is
 * causally before or after a given entry, and an entry is applied only once everything it
 * depends on is; so no handover after it can have been applied when it is checked.
 *
 * Only what decides mastership is tracked (types, explicit branch masters, which branches and
 * replicas exist), in overlays over the replica's state, which is never changed here.
 */
export interface MastershipViolation {
  op: Op;
  /** What the entry does, for the message: `new version "a.c@@/main/3"`. */
  change: string;
  /** Undefined when the entry is refused for another reason than its object's master. */
  master?: MasterInfo;
  reason: string;
}

/** `a.c@@/main/dev` -> [`a.c`, `/main/dev`] (validated by parseOpRecord). */
function splitBranchName(name: string): [string, string] {
  const at = name.indexOf('@@');
  return [name.slice(0, at), name.slice(at + 2)];
}

class MastershipView {
  private readonly brtypes = new Map<string, string>();
  private readonly lbtypes = new Map<string, string>();
  private readonly replicas = new Map<string, string>();
  /** `path@@branch` -> explicit master, or '' for a branch that exists without one. */
  private readonly branches = new Map<string, string>();
  private readonly elements = new Set<string>();

  constructor(
    private readonly base: VobState,
    private readonly nameOf: (oid: string) => string,
  ) {}

  brtypeMaster(name: string): MasterInfo {
    return { master: this.brtypes.get(name) ?? lookup(this.base.brtypes, name)?.master ?? '', describedAs: `branch type "${name}"` };
  }

  lbtypeMaster(name: string): MasterInfo {
    return { master: this.lbtypes.get(name) ?? lookup(this.base.lbtypes, name)?.master ?? '', describedAs: `label type "${name}"` };
  }

  replicaMaster(oid: string): string | undefined {
    return this.replicas.get(oid) ?? lookup(this.base.replicas, oid)?.master;
  }

  /** As mastership.ts's branchMaster: the branch's own master, else its branch type's. */
  branchMaster(path: string, branch: string): MasterInfo {
    const el = lookup(this.base.elements, path);
    const own = this.branches.get(`${path}@@${branch}`) || (el ? lookup(el.branches, branch)?.master : undefined);
    if (own) return { master: own, describedAs: `branch "${path}@@${branch}"` };
    return this.brtypeMaster(branch.slice(branch.lastIndexOf('/') + 1));
  }

  /**
   * Whether applying `op` to a skeleton (applyOp without versions) changes more than the row:
   * a version or a label only makes its element and branch exist, and mostly they already do.
   */
  changesSkeleton(op: Op): boolean {
    if (op.kind === 'version.create') return !this.branchExists(op.path, op.branch);
    if (op.kind === 'label.set') return !this.elementExists(op.path);
    return true;
  }

  private elementExists(path: string): boolean {
    return this.elements.has(path) || lookup(this.base.elements, path) !== undefined;
  }

  private branchExists(path: string, branch: string): boolean {
    if (this.branches.has(`${path}@@${branch}`)) return true;
    const el = lookup(this.base.elements, path);
    if (el) return lookup(el.branches, branch) !== undefined;
    return branch === '/main' && this.elements.has(path);
  }

  private touchBranch(path: string, branch: string): void {
    this.elements.add(path);
    const key = `${path}@@${branch}`;
    if (!this.branchExists(path, branch)) this.branches.set(key, '');
  }

  /** What applyOp (vobState.ts) does to mastership and existence, and nothing else. */
  apply(op: Op): void {
    switch (op.kind) {
      case 'vob.create':
        this.replicas.set(op.replica, op.replica);
        this.brtypes.set('main', op.replica);
        break;
      case 'replica.create':
        this.replicas.set(op.replica, op.replica);
        break;
      case 'brtype.create':
        if (!this.brtypeMaster(op.name).master) this.brtypes.set(op.name, op.origin);
        break;
      case 'lbtype.create':
        if (!this.lbtypeMaster(op.name).master) this.lbtypes.set(op.name, op.origin);
        break;
      case 'element.create':
      case 'label.set':
        this.elements.add(op.path);
        break;
      case 'branch.create':
      case 'version.create':
        this.touchBranch(op.path, op.branch);
        break;
      case 'master.change':
        if (op.object === 'brtype') this.brtypes.set(op.name, op.to);
        else if (op.object === 'lbtype') this.lbtypes.set(op.name, op.to);
        else if (op.object === 'replica') {
          if (this.replicaMaster(op.name) !== undefined) this.replicas.set(op.name, op.to);
        } else {
          const [path, branch] = splitBranchName(op.name);
          if (this.elementExists(path) && this.branchExists(path, branch)) this.branches.set(op.name, op.to);
        }
        break;
    }
  }

  /** The master an entry needs, or a reason it is refused whoever made it; undefined if anyone may. */
  required(op: Op): { master: MasterInfo } | { reason: string } | undefined {
    switch (op.kind) {
      case 'vob.create':
        // Only the first entry of a family; a later one would hand branch type "main" to its maker.
        return this.base.familyOid ? { reason: 'the VOB already exists' } : undefined;
      case 'replica.create':
        // Re-creating a known replica would move it to another host.
        return this.replicaMaster(op.replica) !== undefined ? { reason: `replica "${this.nameOf(op.replica)}" already exists` } : undefined;
      case 'brtype.create':
      case 'lbtype.create':
      case 'element.create':
        return { master: this.brtypeMaster('main') };
      case 'branch.create':
      case 'version.create':
        return { master: this.branchMaster(op.path, op.branch) };
      case 'label.set':
        return { master: this.lbtypeMaster(op.lbtype) };
      case 'master.change':
        if (op.object === 'brtype') return { master: this.brtypeMaster(op.name) };
        if (op.object === 'lbtype') return { master: this.lbtypeMaster(op.name) };
        if (op.object === 'replica') return { master: { master: this.replicaMaster(op.name) ?? '', describedAs: `replica "${this.nameOf(op.name)}"` } };
        return { master: this.branchMaster(...splitBranchName(op.name)) };
    }
  }
}

function describeChange(op: Op, nameOf: (oid: string) => string): string {
  switch (op.kind) {
    case 'vob.create':
      return 'creation of the VOB';
    case 'replica.create':
      return `new replica "${op.name}"`;
    case 'brtype.create':
      return `new branch type "${op.name}"`;
    case 'lbtype.create':
      return `new label type "${op.name}"`;
    case 'element.create':
      return `new element "${op.path}"`;
    case 'branch.create':
      return `new branch "${op.path}@@${op.branch}"`;
    case 'version.create':
      return `new version "${op.path}@@${op.branch}/${op.n}"`;
    case 'label.set':
      return `label "${op.lbtype}" on "${op.path}@@${op.branch}/${op.n}"`;
    case 'master.change': {
      const what = op.object === 'brtype' ? 'branch type' : op.object === 'lbtype' ? 'label type' : op.object;
      return `mastership of ${what} "${op.object === 'replica' ? nameOf(op.name) : op.name}" to "${nameOf(op.to)}"`;
    }
  }
}

/**
 * Checks entries one by one, in the order they are to be applied to `state`, as an import
 * reads them from a packet: each is checked against mastership as of that entry, then counts
 * for the ones after it. Holds only what decides mastership, never the entries.
 */
export class MastershipCheck {
  private readonly view: MastershipView;

  constructor(
    state: VobState,
    private readonly nameOf: (oid: string) => string,
  ) {
    this.view = new MastershipView(state, nameOf);
  }

  /** Before check(op): see MastershipView.changesSkeleton. */
  changesSkeleton(op: Op): boolean {
    return this.view.changesSkeleton(op);
  }

  /** Why `op` may not be applied, or undefined (then it is taken as applied). */
  check(op: Op): MastershipViolation | undefined {
    const nameOf = this.nameOf;
    const need = this.view.required(op);
    if (need && 'reason' in need) {
      const change = describeChange(op, nameOf);
      return { op, change, reason: `packet entry ${op.id} from replica "${nameOf(op.origin)}" (${change}) is refused: ${need.reason}` };
    }
    if (need && need.master.master !== op.origin) {
      const change = describeChange(op, nameOf);
      const master = need.master.master ? `"${nameOf(need.master.master)}"` : 'unknown here';
      return {
        op,
        change,
        master: need.master,
        reason: `packet entry ${op.id} from replica "${nameOf(op.origin)}" (${change}) was not made at the master: master replica of ${need.master.describedAs} is ${master}`,
      };
    }
    this.view.apply(op);
    return undefined;
  }
}

/**
 * The first of `ops` (to be applied, in this order, to `state`) whose origin does not master
 * what it changes, or undefined when every entry was made at its master.
 */
export function findMastershipViolation(state: VobState, ops: readonly Op[], nameOf: (oid: string) => string): MastershipViolation | undefined {
  const check = new MastershipCheck(state, nameOf);
  for (const op of ops) {
    const v = check.check(op);
    if (v) return v;
  }
  return undefined;
}
