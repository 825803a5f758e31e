import { createHash } from 'crypto';
import { EMPTY_BLOB } from './blobStore';
import type { MasteredKind, Op } from './ops';

/**
 * The replicated objects of one VOB, derived from the oplog by applying entries in order.
 * Dictionaries have no prototype: names and paths come from packets, and "__proto__" or
 * "constructor" must be plain keys.
 */
export interface ReplicaObject {
  name: string;
  host: string;
  /** A replica object is mastered by the replica itself once created. */
  master: string;
}

export interface TypeObject {
  master: string;
  comment?: string;
}

export interface VersionState {
  blob: string;
  size: number;
  origin: string;
  at: string;
  comment?: string;
}

export interface BranchState {
  /** Explicit branch mastership (chmaster PATH@@/BRANCH); otherwise the branch type's master. */
  master?: string;
  /** Version of the parent branch this branch sprouted from. */
  from?: number;
  /** Index = version number; /main/0 and BRANCH/0 are the empty version. */
  versions: VersionState[];
}

export interface ElementState {
  comment?: string;
  branches: Record<string, BranchState>;
  /** Label type name -> version it is attached to. */
  labels: Record<string, { branch: string; n: number }>;
}

export interface VobState {
  familyOid: string;
  /** mkvob -c. */
  comment?: string;
  replicas: Record<string, ReplicaObject>;
  brtypes: Record<string, TypeObject>;
  lbtypes: Record<string, TypeObject>;
  elements: Record<string, ElementState>;
  /** Own epoch row (actual): oplog entries applied per originating replica. */
  row: Record<string, number>;
}

export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function emptyState(): VobState {
  return { familyOid: '', replicas: dict(), brtypes: dict(), lbtypes: dict(), elements: dict(), row: dict() };
}

/**
 * A state read back from JSON (a snapshot's), its dictionaries given a null prototype (see
 * VobState) and nothing else: fields of fixed names (a version's blob, size...) need none.
 * Giving every object a null prototype had made each a dictionary-mode object in V8, twice
 * the memory of a version's fields and slower to read. Throws on a snapshot of the wrong shape
 * (a dictionary, or what one holds, not an object; a branch without versions): the caller then
 * replays the oplog instead.
 */
export function stateFromJson(v: unknown): VobState {
  const state = dictionary(v, 'state') as unknown as VobState;
  for (const k of ['replicas', 'brtypes', 'lbtypes'] as const) for (const x of Object.values(dictionary(state[k], k))) object(x, k);
  dictionary(state.row, 'row');
  for (const el of Object.values(dictionary(state.elements, 'elements'))) {
    const e = object(el, 'an element');
    for (const br of Object.values(dictionary(e.branches, 'branches'))) {
      if (!Array.isArray(object(br, 'a branch').versions)) throw new Error('a branch has no versions');
    }
    for (const l of Object.values(dictionary(e.labels, 'labels'))) object(l, 'a label');
  }
  return state;
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function dictionary(v: unknown, what: string): Record<string, unknown> {
  return Object.setPrototypeOf(object(v, `"${what}"`), null) as Record<string, unknown>;
}

function has<T>(d: Record<string, T>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(d, k);
}

function emptyVersion(origin: string, at: string): VersionState {
  return { blob: EMPTY_BLOB, size: 0, origin, at };
}

function ensureElement(state: VobState, path: string, origin: string, at: string): ElementState {
  let el = has(state.elements, path) ? state.elements[path] : undefined;
  if (!el) {
    el = { branches: dict(), labels: dict() };
    el.branches['/main'] = { versions: [emptyVersion(origin, at)] };
    state.elements[path] = el;
  }
  return el;
}

function ensureBranch(el: ElementState, branch: string, origin: string, at: string, from?: number): BranchState {
  let br = has(el.branches, branch) ? el.branches[branch] : undefined;
  if (!br) {
    br = { versions: [emptyVersion(origin, at)] };
    if (from !== undefined) br.from = from;
    el.branches[branch] = br;
  }
  return br;
}

/**
 * Applies one entry. Importers call this only in causal order (see ops.ts), so each entry
 * finds what it builds on; it still never throws on a missing object, creating it instead,
 * so the result depends only on the set of entries applied. With `versions` false (an
 * import's skeleton, see Replica.open) a new version or label only makes its element and
 * branch exist: they are what grows with a history, and an import decides nothing from them.
 */
export function applyOp(state: VobState, op: Op, versions = true): void {
  switch (op.kind) {
    case 'vob.create':
      state.familyOid = op.familyOid;
      if (op.comment) state.comment = op.comment;
      state.replicas[op.replica] = { name: op.name, host: op.host, master: op.replica };
      state.brtypes['main'] = { master: op.replica };
      break;
    case 'replica.create':
      state.replicas[op.replica] = { name: op.name, host: op.host, master: op.replica };
      break;
    case 'brtype.create':
      if (!has(state.brtypes, op.name)) state.brtypes[op.name] = { master: op.origin, ...(op.comment ? { comment: op.comment } : {}) };
      break;
    case 'lbtype.create':
      if (!has(state.lbtypes, op.name)) state.lbtypes[op.name] = { master: op.origin, ...(op.comment ? { comment: op.comment } : {}) };
      break;
    case 'element.create': {
      const el = ensureElement(state, op.path, op.origin, op.at);
      if (op.comment) el.comment = op.comment;
      break;
    }
    case 'branch.create':
      ensureBranch(ensureElement(state, op.path, op.origin, op.at), op.branch, op.origin, op.at, op.from);
      break;
    case 'version.create': {
      const br = ensureBranch(ensureElement(state, op.path, op.origin, op.at), op.branch, op.origin, op.at);
      if (!versions) break;
      const v: VersionState = { blob: op.blob, size: op.size, origin: op.origin, at: op.at };
      if (op.comment) v.comment = op.comment;
      br.versions[op.n] = v;
      break;
    }
    case 'label.set': {
      const el = ensureElement(state, op.path, op.origin, op.at);
      if (versions) el.labels[op.lbtype] = { branch: op.branch, n: op.n };
      break;
    }
    case 'master.change':
      setMaster(state, op.object, op.name, op.to);
      break;
  }
  const seen = state.row[op.origin] ?? 0;
  if (op.id > seen) state.row[op.origin] = op.id;
}

function setMaster(state: VobState, object: MasteredKind, name: string, to: string): void {
  if (object === 'brtype') (has(state.brtypes, name) ? state.brtypes[name] : (state.brtypes[name] = { master: to })).master = to;
  else if (object === 'lbtype') (has(state.lbtypes, name) ? state.lbtypes[name] : (state.lbtypes[name] = { master: to })).master = to;
  else if (object === 'replica') {
    if (has(state.replicas, name)) state.replicas[name].master = to;
  } else {
    const at = name.indexOf('@@');
    const path = name.slice(0, at);
    const branch = name.slice(at + 2);
    if (has(state.elements, path) && has(state.elements[path].branches, branch)) state.elements[path].branches[branch].master = to;
  }
}

export function lookup<T>(d: Record<string, T>, k: string): T | undefined {
  return has(d, k) ? d[k] : undefined;
}

/** Canonical JSON (sorted keys) of a value, for digests. */
function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Hash of everything replicated: replica objects, types, elements, branches, versions'
 * content and comments, labels, mastership. Local bookkeeping (epoch rows, incarnation,
 * tags) is left out, so converged replicas print the same digest.
 */
export function digestState(state: VobState): string {
  const h = createHash('sha256');
  h.update(canonical({ family: state.familyOid, comment: state.comment, replicas: state.replicas, brtypes: state.brtypes, lbtypes: state.lbtypes }));
  for (const p of Object.keys(state.elements).sort()) {
    const el = state.elements[p];
    const branches: Record<string, unknown> = {};
    for (const [b, br] of Object.entries(el.branches)) {
      branches[b] = { master: br.master, from: br.from, versions: br.versions.map((v) => (v ? [v.blob, v.size, v.comment ?? ''] : null)) };
    }
    h.update(`\n${JSON.stringify(p)}:${canonical({ comment: el.comment, branches, labels: el.labels })}`);
  }
  return h.digest('hex');
}
