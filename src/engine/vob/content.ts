import * as fs from 'fs';
import * as path from 'path';
import { randomUUID } from 'crypto';
import type { Readable } from 'stream';
import { openHost } from '../host/host';
import { checkNewStorageDir, defaultVobDir, listVobTags, registerVobTag, vobTagProblem } from '../host/registry';
import { VobTagExistsError } from '../host/errors';
import { fsyncDir } from '../store/durable';
import { BlobMissingError } from '../store/errors';
import { sweepDeadBuilds } from '../store/lock';
import { isValidName, type OpBody } from '../store/ops';
import { Replica, STORE_FORMAT } from '../store/replica';
import { digestState, lookup, type ElementState, type VersionState } from '../store/vobState';
import { withVob, type EngineContext } from './access';
import { BadSelectorError, IdenticalVersionError, ObjectExistsError, ObjectNotFoundError } from './errors';
import { branchMaster, brtypeMaster, lbtypeMaster, namespaceMaster, requireMaster } from './mastership';
import { normalizeElementPath, parseBranchSelector, parseVersionSelector } from './selectors';
import { ElementNamespace } from './namespace';

export interface MkvobOptions {
  tag: string;
  replica: string;
  comment?: string;
  /** Storage directory (default: under the home's vobs/). */
  vobDir?: string;
}

export interface MkvobResult {
  tag: string;
  dir: string;
  replicaName: string;
  replicaOid: string;
  familyOid: string;
}

function checkName(kind: string, name: string): void {
  if (!isValidName(name)) throw new BadSelectorError(`Invalid ${kind} name "${name}": use letters, digits, "_", ".", "+" and "-", starting with a letter, digit or "_".`);
}

/** Builds storage in a temporary directory and renames it into place, so a crash leaves no half-made VOB. */
export function createReplicaStorage(dir: string, build: (tmpDir: string) => void): void {
  // What a killed build for this directory left is nobody's any more.
  sweepDeadBuilds(dir);
  if (fs.existsSync(dir)) throw new ObjectExistsError(`Storage directory ${dir} already exists; choose another with -vob.`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.new-${process.pid}-${Date.now().toString(36)}`;
  try {
    build(tmp);
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // Another command (mkvob of the same tag or -vob, run at the same time) put its storage
      // there while this one was being built: theirs stays, and this is a user error, not a crash.
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new ObjectExistsError(`Storage directory ${dir} already exists (made by another command while this one ran); choose another with -vob.`);
      throw e;
    }
    fsyncDir(path.dirname(dir));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** New VOB family with its first replica on this host. */
export async function mkvob(ctx: EngineContext, opts: MkvobOptions): Promise<MkvobResult> {
  const host = openHost(ctx.home);
  const problem = vobTagProblem(opts.tag);
  if (problem) throw new BadSelectorError(`Invalid VOB tag "${opts.tag}": ${problem}.`);
  checkName('replica', opts.replica);
  if (listVobTags(host.layout).some((t) => t.tag === opts.tag)) throw new VobTagExistsError(opts.tag);
  const dir = path.resolve(opts.vobDir ?? defaultVobDir(host.layout, opts.tag));
  if (fs.existsSync(dir)) throw new ObjectExistsError(`Storage directory ${dir} already exists; choose another with -vob.`);
  checkNewStorageDir(host.layout, dir);
  const familyOid = randomUUID();
  const replicaOid = randomUUID();
  createReplicaStorage(dir, (tmp) => {
    Replica.initialize(tmp, {
      format: STORE_FORMAT,
      familyOid,
      oid: replicaOid,
      name: opts.replica,
      host: host.name,
      tag: opts.tag,
      incarnation: 0,
      createdAt: new Date().toISOString(),
    });
  });
  try {
    const r = await Replica.open(dir, { command: 'mkvob' });
    try {
      r.record([{ kind: 'vob.create', familyOid, replica: replicaOid, name: opts.replica, host: host.name, ...(opts.comment ? { comment: opts.comment } : {}) }]);
    } finally {
      r.close();
    }
    await registerVobTag(host.layout, { tag: opts.tag, dir, familyOid, replicaOid, replicaName: opts.replica });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { tag: opts.tag, dir, replicaName: opts.replica, replicaOid, familyOid };
}

function element(state: { elements: Record<string, ElementState> }, p: string, tag: string): ElementState {
  const el = lookup(state.elements, p);
  if (!el) throw new ObjectNotFoundError(`Element "${p}" not found in VOB "${tag}".`);
  return el;
}

export interface ElementChange {
  path: string;
  /** Version created, e.g. "/main/1"; undefined when only /main/0 was made. */
  version?: string;
  created: boolean;
}

export async function mkelem(ctx: EngineContext, opts: { tag: string; path: string; from?: string; comment?: string }): Promise<ElementChange> {
  const p = normalizeElementPath(opts.path);
  return withVob(ctx, opts.tag, 'mkelem', async ({ replica: r }) => {
    if (lookup(r.state.elements, p)) throw new ObjectExistsError(`Element "${p}" already exists in VOB "${opts.tag}".`);
    new ElementNamespace(r.state.elements).check(p);
    requireMaster(r, namespaceMaster(r.state), 'create element', `"${p}"`);
    const ops: OpBody[] = [{ kind: 'element.create', path: p, ...(opts.comment ? { comment: opts.comment } : {}) }];
    if (opts.from !== undefined) {
      const blob = await storeFile(r, opts.from);
      ops.push({ kind: 'version.create', path: p, branch: '/main', n: 1, blob: blob.hash, size: blob.size, ...(opts.comment ? { comment: opts.comment } : {}) });
    }
    r.record(ops);
    return { path: p, version: opts.from !== undefined ? '/main/1' : undefined, created: true };
  });
}

async function storeFile(r: Replica, file: string): Promise<{ hash: string; size: number }> {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new ObjectNotFoundError(`Cannot read "${file}": no such file.`);
  }
  if (!st.isFile()) throw new BadSelectorError(`"${file}" is not a regular file.`);
  const batch = r.blobs.batch();
  const ref = await batch.putFile(file);
  await batch.commit();
  return ref;
}

/** Branch of an element whose last component is `brtype`, or undefined. */
function findBranch(el: ElementState, brtype: string): string | undefined {
  if (brtype === 'main') return '/main';
  return Object.keys(el.branches).find((b) => b.endsWith(`/${brtype}`));
}

/**
 * The version a new version on `branch` follows: the branch's latest, or for a branch that has
 * only its version 0 the version it sprouted from (in the original BRANCH/0 holds that data).
 */
function predecessorOf(el: ElementState, branch: string): { branch: string; n: number; version: VersionState } | undefined {
  let b = branch;
  let n = (el.branches[b]?.versions.length ?? 1) - 1;
  while (n === 0 && b !== '/main') {
    const from = el.branches[b]?.from;
    const parent = b.slice(0, b.lastIndexOf('/'));
    if (from === undefined || !el.branches[parent]) break;
    b = parent;
    n = from;
  }
  const version = el.branches[b]?.versions[n];
  return version ? { branch: b, n, version } : undefined;
}

export async function checkin(
  ctx: EngineContext,
  opts: { tag: string; path: string; from: string; comment?: string; branch?: string; /** Create a version even when its data is the predecessor's. */ identical?: boolean },
): Promise<ElementChange> {
  const p = normalizeElementPath(opts.path);
  return withVob(ctx, opts.tag, 'checkin', async ({ replica: r }) => {
    const el = element(r.state, p, opts.tag);
    const ops: OpBody[] = [];
    const brtype = opts.branch ?? 'main';
    let branch = findBranch(el, brtype);
    if (!branch) {
      if (!lookup(r.state.brtypes, brtype)) throw new ObjectNotFoundError(`Branch type "${brtype}" not found in VOB "${opts.tag}"; create it with mkbrtype.`);
      branch = `/main/${brtype}`;
      requireMaster(r, brtypeMaster(r.state, brtype), 'check in', `"${p}"`);
      ops.push({ kind: 'branch.create', path: p, branch, from: el.branches['/main'].versions.length - 1 });
    } else {
      requireMaster(r, branchMaster(r.state, p, branch), 'check in', `"${p}"`);
    }
    const n = ops.length ? 1 : el.branches[branch].versions.length;
    // Identical data is already in the store (content-addressed), so storing first leaves nothing behind.
    const blob = await storeFile(r, opts.from);
    if (!opts.identical) {
      const pred = predecessorOf(el, ops.length ? '/main' : branch);
      if (pred && pred.version.blob === blob.hash && pred.version.size === blob.size) throw new IdenticalVersionError(p, `${pred.branch}/${pred.n}`);
    }
    ops.push({ kind: 'version.create', path: p, branch, n, blob: blob.hash, size: blob.size, ...(opts.comment ? { comment: opts.comment } : {}) });
    r.record(ops);
    return { path: p, version: `${branch}/${n}`, created: false };
  });
}

export async function mktype(ctx: EngineContext, opts: { tag: string; kind: 'brtype' | 'lbtype'; name: string; comment?: string }): Promise<void> {
  checkName(opts.kind === 'brtype' ? 'branch type' : 'label type', opts.name);
  const what = opts.kind === 'brtype' ? 'branch type' : 'label type';
  await withVob(ctx, opts.tag, `mk${opts.kind}`, ({ replica: r }) => {
    const table = opts.kind === 'brtype' ? r.state.brtypes : r.state.lbtypes;
    if (lookup(table, opts.name)) throw new ObjectExistsError(`${what[0].toUpperCase()}${what.slice(1)} "${opts.name}" already exists in VOB "${opts.tag}".`);
    requireMaster(r, namespaceMaster(r.state), `create ${what}`, `"${opts.name}"`);
    r.record([{ kind: opts.kind === 'brtype' ? 'brtype.create' : 'lbtype.create', name: opts.name, ...(opts.comment ? { comment: opts.comment } : {}) }]);
  });
}

export interface LabelResult {
  lbtype: string;
  path: string;
  version: string;
  movedFrom?: string;
  /** The label was already on that version: nothing recorded. */
  already?: boolean;
}

export async function mklabel(ctx: EngineContext, opts: { tag: string; lbtype: string; version: string; replace?: boolean }): Promise<LabelResult> {
  const v = parseVersionSelector(opts.version);
  return withVob(ctx, opts.tag, 'mklabel', ({ replica: r }) => {
    if (!lookup(r.state.lbtypes, opts.lbtype)) throw new ObjectNotFoundError(`Label type "${opts.lbtype}" not found in VOB "${opts.tag}"; create it with mklbtype.`);
    const el = element(r.state, v.path, opts.tag);
    const br = lookup(el.branches, v.branch);
    if (!br || !br.versions[v.n]) throw new ObjectNotFoundError(`Version "${v.path}@@${v.branch}/${v.n}" not found in VOB "${opts.tag}".`);
    const cur = lookup(el.labels, opts.lbtype);
    const curText = cur ? `${cur.branch}/${cur.n}` : undefined;
    if (curText === `${v.branch}/${v.n}`) return { lbtype: opts.lbtype, path: v.path, version: curText, already: true };
    if (cur && !opts.replace) throw new ObjectExistsError(`Label "${opts.lbtype}" is already on "${v.path}" version "${curText}"; use -replace to move it.`);
    requireMaster(r, lbtypeMaster(r.state, opts.lbtype), 'attach label to', `"${v.path}"`);
    r.record([{ kind: 'label.set', lbtype: opts.lbtype, path: v.path, branch: v.branch, n: v.n }]);
    return { lbtype: opts.lbtype, path: v.path, version: `${v.branch}/${v.n}`, ...(curText ? { movedFrom: curText } : {}) };
  });
}

export interface ChmasterResult {
  object: string;
  to: string;
  /** `to` was the master already (this replica): nothing recorded. */
  already?: boolean;
}

/** Hands an object's mastership to another replica; the change travels in the next packets. */
export async function chmaster(ctx: EngineContext, opts: { tag: string; to: string; object: string }): Promise<ChmasterResult> {
  return withVob(ctx, opts.tag, 'chmaster', ({ replica: r }) => {
    const toName = opts.to.replace(/^replica:/, '').replace(/@.*$/, '');
    const toTag = /@(.*)$/.exec(opts.to)?.[1];
    if (toTag !== undefined && toTag !== opts.tag) throw new BadSelectorError(`Replica "${opts.to}" is not in VOB "${opts.tag}".`);
    const to = r.oidOf(toName);
    if (!to || !lookup(r.state.replicas, to)) throw new ObjectNotFoundError(`Replica "${toName}" not found in the family of VOB "${opts.tag}"; see "multitool lsreplica -invob ${opts.tag}".`);
    let body: OpBody;
    let described: string;
    const m = /^(brtype|lbtype):(.+)$/.exec(opts.object);
    if (m) {
      const kind = m[1] as 'brtype' | 'lbtype';
      const table = kind === 'brtype' ? r.state.brtypes : r.state.lbtypes;
      described = `${kind === 'brtype' ? 'branch type' : 'label type'} "${m[2]}"`;
      if (!lookup(table, m[2])) throw new ObjectNotFoundError(`${described[0].toUpperCase()}${described.slice(1)} not found in VOB "${opts.tag}".`);
      requireMaster(r, kind === 'brtype' ? brtypeMaster(r.state, m[2]) : lbtypeMaster(r.state, m[2]), 'change mastership of', described);
      body = { kind: 'master.change', object: kind, name: m[2], to };
    } else if (opts.object.includes('@@')) {
      const b = parseBranchSelector(opts.object);
      const el = element(r.state, b.path, opts.tag);
      described = `branch "${b.path}@@${b.branch}"`;
      if (!lookup(el.branches, b.branch)) throw new ObjectNotFoundError(`Branch "${b.path}@@${b.branch}" not found in VOB "${opts.tag}".`);
      requireMaster(r, branchMaster(r.state, b.path, b.branch), 'change mastership of', described);
      body = { kind: 'master.change', object: 'branch', name: `${b.path}@@${b.branch}`, to };
    } else {
      throw new BadSelectorError(`"${opts.object}" does not name an object with a master: use brtype:NAME, lbtype:NAME or PATH@@/BRANCH.`);
    }
    if (to === r.oid) return { object: described, to: r.name, already: true };
    r.record([body]);
    return { object: described, to: r.nameOf(to) };
  });
}

/** lsvtree lines: the element, each branch, each version with its labels. */
export async function lsvtree(ctx: EngineContext, opts: { tag: string; path: string }): Promise<string[]> {
  const p = normalizeElementPath(opts.path);
  return withVob(
    ctx,
    opts.tag,
    'lsvtree',
    ({ replica: r }) => {
      const el = element(r.state, p, opts.tag);
      const labelsAt = new Map<string, string[]>();
      for (const [lb, at] of Object.entries(el.labels)) {
        const k = `${at.branch}/${at.n}`;
        labelsAt.set(k, [...(labelsAt.get(k) ?? []), lb].sort());
      }
      const lines = [`${p}@@`];
      for (const b of Object.keys(el.branches).sort()) {
        lines.push(`${p}@@${b}`);
        el.branches[b].versions.forEach((v, n) => {
          if (!v) return;
          const labels = labelsAt.get(`${b}/${n}`);
          lines.push(`${p}@@${b}/${n}${labels ? ` (${labels.join(', ')})` : ''}`);
        });
      }
      return lines;
    },
    true,
  );
}

/** A version's content as a stream (the replica's lock is not held while it is read: blobs never change). */
export async function catVersion(ctx: EngineContext, opts: { tag: string; version: string }): Promise<Readable> {
  const v = parseVersionSelector(opts.version);
  return withVob(
    ctx,
    opts.tag,
    'cat',
    ({ replica: r }) => {
      const el = element(r.state, v.path, opts.tag);
      const ver = lookup(el.branches, v.branch)?.versions[v.n];
      if (!ver) throw new ObjectNotFoundError(`Version "${v.path}@@${v.branch}/${v.n}" not found in VOB "${opts.tag}".`);
      if (ver.size > 0 && !r.blobs.has(ver.blob)) throw new BlobMissingError(ver.blob, r.name);
      return r.blobs.open(ver.blob, ver.size);
    },
    true,
  );
}

export async function digest(ctx: EngineContext, opts: { tag: string }): Promise<string> {
  return withVob(ctx, opts.tag, 'digest', ({ replica: r }) => digestState(r.state), true);
}

