import { MultiSiteError } from '../errors';

/**
 * Oplog entries: what a replica records for each change and what packets carry. `origin` is
 * the originating replica's oid and `id` its oplog ID (1, 2, 3... per origin). `deps` is the
 * origin's own epoch row when the change was made (other origins only, zeros left out): an
 * importer applies an entry only once it has those changes, which is what makes replicas
 * converge whatever order packets travel in.
 */
export type OpBody =
  | { kind: 'vob.create'; familyOid: string; replica: string; name: string; host: string; comment?: string }
  | { kind: 'replica.create'; replica: string; name: string; host: string }
  | { kind: 'brtype.create'; name: string; comment?: string }
  | { kind: 'lbtype.create'; name: string; comment?: string }
  | { kind: 'element.create'; path: string; comment?: string }
  | { kind: 'branch.create'; path: string; branch: string; from: number }
  | { kind: 'version.create'; path: string; branch: string; n: number; blob: string; size: number; comment?: string }
  | { kind: 'label.set'; lbtype: string; path: string; branch: string; n: number }
  | { kind: 'master.change'; object: MasteredKind; name: string; to: string };

export type MasteredKind = 'brtype' | 'lbtype' | 'branch' | 'replica';

export type OpHeader = {
  origin: string;
  id: number;
  at: string;
  deps?: Record<string, number>;
};

export type Op = OpHeader & OpBody;

/** Thrown for a record that is not a well-formed oplog entry (a hostile or damaged packet). */
export class BadRecordError extends MultiSiteError {
  constructor(readonly reason: string) {
    super(`Packet record is not a valid oplog entry: ${reason}.`);
  }
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/;
const OID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HASH = /^[0-9a-f]{64}$/;

/** Type, replica and label names: what mkbrtype/mklbtype/mkreplica accept. */
export function isValidName(name: string): boolean {
  return NAME.test(name) && name !== '.' && name !== '..';
}

export function isValidOid(oid: string): boolean {
  return OID.test(oid);
}

/**
 * An element pathname inside a VOB: relative, '/'-separated, no empty, '.' or '..' segments,
 * no backslashes or control characters. Returns the reason it is refused, or undefined.
 */
export function elementPathProblem(p: string): string | undefined {
  if (p.length === 0) return 'it is empty';
  if (p.length > 4096) return 'it is too long';
  if (p.startsWith('/')) return 'it is absolute';
  if (/^[A-Za-z]:/.test(p)) return 'it is absolute';
  if (p.includes('\\')) return 'it contains a backslash';
  if (/[\x00-\x1f]/.test(p)) return 'it contains a control character';
  if (p.includes('@@')) return 'it contains "@@"';
  for (const seg of p.split('/')) {
    if (seg === '') return 'it has an empty segment';
    if (seg === '..') return 'it contains ".."';
    if (seg === '.') return 'it contains "."';
  }
  return undefined;
}

/** A branch pathname: `/main`, `/main/dev`, each segment a branch type name. */
export function isValidBranchPath(b: string): boolean {
  const segs = b.split('/');
  return segs.length >= 2 && segs[0] === '' && segs[1] === 'main' && segs.slice(1).every(isValidName);
}

function str(r: Record<string, unknown>, k: string): string {
  const v = r[k];
  if (typeof v !== 'string') throw new BadRecordError(`field "${k}" must be a string`);
  return v;
}

function int(r: Record<string, unknown>, k: string, min = 0): number {
  const v = r[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new BadRecordError(`field "${k}" must be an integer >= ${min}`);
  return v;
}

function name(r: Record<string, unknown>, k: string): string {
  const v = str(r, k);
  if (!isValidName(v)) throw new BadRecordError(`field "${k}" is not a valid name: ${JSON.stringify(v.slice(0, 80))}`);
  return v;
}

function oid(r: Record<string, unknown>, k: string): string {
  const v = str(r, k);
  if (!isValidOid(v)) throw new BadRecordError(`field "${k}" is not a replica oid`);
  return v;
}

function elementPath(r: Record<string, unknown>, k: string): string {
  const v = str(r, k);
  const problem = elementPathProblem(v);
  if (problem) throw new BadRecordError(`element path ${JSON.stringify(v.slice(0, 200))} is refused: ${problem}`);
  return v;
}

function branchPath(r: Record<string, unknown>, k: string): string {
  const v = str(r, k);
  if (!isValidBranchPath(v)) throw new BadRecordError(`field "${k}" is not a branch path: ${JSON.stringify(v.slice(0, 80))}`);
  return v;
}

function host(r: Record<string, unknown>, k: string): string {
  const v = str(r, k);
  if (!/^[A-Za-z0-9_.-]{1,253}$/.test(v)) throw new BadRecordError(`field "${k}" is not a host name`);
  return v;
}

/** The op with the record's comment, if it has a non-empty one. */
function withComment<T extends object>(op: T, r: Record<string, unknown>): T & { comment?: string } {
  if (r.comment === undefined) return op;
  const c = str(r, 'comment');
  if (c.length > 64 * 1024) throw new BadRecordError('field "comment" is too long');
  if (c) (op as { comment?: string }).comment = c;
  return op;
}

/**
 * One copy of a value that repeats across entries (origins, a transaction's time stamp): an
 * import of tens of thousands of entries otherwise keeps as many copies of each, parsed from
 * each record, in the entries and the replica state. Bounded, so hostile input cannot grow it.
 */
const SHARED = new Map<string, string>();
function shared(s: string): string {
  const v = SHARED.get(s);
  if (v !== undefined) return v;
  if (SHARED.size < 1024) SHARED.set(s, s);
  return s;
}

/**
 * Checks a record read from a packet and rebuilds it as an Op with only the known fields.
 *
 * Each Op is built by adding fields to its head (Object.assign), never with object spread
 * (`{ ...head, kind }`): in Node 20's V8 every object made by spreading and then adding
 * fields gets a hidden class of its own, about 250 bytes more per entry, 15 MB of a
 * 60,000-version import; added fields share hidden classes across entries.
 */
export function parseOpRecord(r: Record<string, unknown>): Op {
  const head: OpHeader = { origin: shared(oid(r, 'origin')), id: int(r, 'id', 1), at: shared(str(r, 'at')) };
  if (r.deps !== undefined) {
    if (typeof r.deps !== 'object' || r.deps === null || Array.isArray(r.deps)) throw new BadRecordError('field "deps" must be an object');
    const deps: Record<string, number> = {};
    for (const [k, v] of Object.entries(r.deps as Record<string, unknown>)) {
      if (!isValidOid(k) || typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new BadRecordError('field "deps" is malformed');
      deps[k] = v;
    }
    head.deps = deps;
  }
  const kind = str(r, 'kind');
  switch (kind) {
    case 'vob.create':
      return withComment(Object.assign(head, { kind, familyOid: oid(r, 'familyOid'), replica: oid(r, 'replica'), name: name(r, 'name'), host: host(r, 'host') }), r);
    case 'replica.create':
      return Object.assign(head, { kind, replica: oid(r, 'replica'), name: name(r, 'name'), host: host(r, 'host') });
    case 'brtype.create':
    case 'lbtype.create':
      return withComment(Object.assign(head, { kind, name: name(r, 'name') }), r);
    case 'element.create':
      return withComment(Object.assign(head, { kind, path: elementPath(r, 'path') }), r);
    case 'branch.create':
      return Object.assign(head, { kind, path: elementPath(r, 'path'), branch: branchPath(r, 'branch'), from: int(r, 'from') });
    case 'version.create': {
      const blob = str(r, 'blob');
      if (!HASH.test(blob)) throw new BadRecordError('field "blob" is not a sha256');
      return withComment(Object.assign(head, { kind, path: elementPath(r, 'path'), branch: branchPath(r, 'branch'), n: int(r, 'n', 1), blob, size: int(r, 'size') }), r);
    }
    case 'label.set':
      return Object.assign(head, { kind, lbtype: name(r, 'lbtype'), path: elementPath(r, 'path'), branch: branchPath(r, 'branch'), n: int(r, 'n') });
    case 'master.change': {
      const object = str(r, 'object');
      if (object !== 'brtype' && object !== 'lbtype' && object !== 'branch' && object !== 'replica') throw new BadRecordError('field "object" is unknown');
      const nm = object === 'branch' ? str(r, 'name') : object === 'replica' ? oid(r, 'name') : name(r, 'name');
      if (object === 'branch') {
        const at = nm.indexOf('@@');
        if (at < 0 || elementPathProblem(nm.slice(0, at)) || !isValidBranchPath(nm.slice(at + 2))) throw new BadRecordError('branch name is malformed');
      }
      return Object.assign(head, { kind, object: object as MasteredKind, name: nm, to: oid(r, 'to') });
    }
    default:
      throw new BadRecordError(`unknown kind ${JSON.stringify(kind.slice(0, 40))}`);
  }
}
