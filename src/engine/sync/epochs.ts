import { openHost, type Host } from '../host/host';
import { hostLayout } from '../host/layout';
import { findReplicaByOid, findVobTag } from '../host/registry';
import { Replica } from '../store/replica';
import { lookup } from '../store/vobState';
import type { EngineContext } from '../vob/access';
import { EpochError, NeedsConnectionError, ReplicaNotFoundError } from './errors';
import { logHistory } from './history';
import { parseReplicaSelector } from './selector';

export interface EpochChange {
  origin: string;
  from: number;
  to: number;
}

export interface RowChange {
  replica: string;
  changes: EpochChange[];
}

function siblingOid(r: Replica, name: string, tag: string): string {
  const oid = r.oidOf(name);
  if (!oid || !lookup(r.state.replicas, oid)) throw new ReplicaNotFoundError(name, tag);
  return oid;
}

function setRow(r: Replica, oid: string, values: Record<string, number>): EpochChange[] {
  const row = (r.epochs.rows[oid] ??= {});
  const changes: EpochChange[] = [];
  for (const [c, v] of Object.entries(values)) {
    const old = row[c] ?? 0;
    if (old !== v) changes.push({ origin: r.nameOf(c), from: old, to: v });
    row[c] = v;
  }
  return changes;
}

/**
 * chepoch REPLICA ORIGIN=N...: sets this replica's estimate of a sibling's row. The own row is
 * actual (derived from the oplog) and cannot be set. Raising an estimate above what this
 * replica itself has would make the next export skip changes, so it needs -force.
 */
export async function chepoch(ctx: EngineContext, opts: { replica: string; values: string[]; force?: boolean }): Promise<RowChange> {
  const sel = parseReplicaSelector(opts.replica);
  const host = openHost(ctx.home);
  const entry = findVobTag(host.layout, sel.tag, host.name);
  if (opts.values.length === 0) throw new EpochError('Give at least one ORIGIN=N (an originating replica and an oplog ID).');
  const r = await Replica.open(entry.dir, { command: 'chepoch', onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs });
  try {
    const target = siblingOid(r, sel.name, sel.tag);
    if (target === r.oid) throw new EpochError(`Row "${r.name}" is this replica's own row: it is actual, derived from the oplog, and cannot be changed.`);
    const values: Record<string, number> = {};
    for (const v of opts.values) {
      const m = /^(.+)=(\d{1,15})$/.exec(v);
      if (!m) throw new EpochError(`"${v}" is not ORIGIN=N (e.g. boston_hub=950 or oid:<oid>=950).`);
      const origin = siblingOid(r, m[1], sel.tag);
      const n = Number(m[2]);
      const own = r.ownRow()[origin] ?? 0;
      if (n > own && !opts.force) {
        throw new EpochError(`Setting ${m[1]}=${n} for "${sel.name}" is above this replica's own ${own} for "${m[1]}": the next export would skip changes. Use -force if that is intended.`);
      }
      // boston_hub=1 boston_hub=2 (or its oid:) is a typo either way: which one was meant?
      if (origin in values && values[origin] !== n) throw new EpochError(`Origin "${r.nameOf(origin)}" is given two values, ${values[origin]} and ${n}: give each origin once.`);
      values[origin] = n;
    }
    const changes = setRow(r, target, values);
    r.saveEpochs();
    logHistory(ctx.home, `chepoch row "${sel.name}" in replica "${r.name}": ${changes.map((c) => `${c.origin} ${c.from}->${c.to}`).join(', ') || 'no change'}`);
    return { replica: sel.name, changes };
  } finally {
    r.close();
  }
}

/** Where a sibling's storage is readable from this machine: this home, or a peer home recorded by addpeer -home. */
function findSiblingStorage(host: Host, siblingHost: string, oid: string): string | undefined {
  if (siblingHost === host.name) return findReplicaByOid(host.layout, oid)?.dir;
  const peer = Object.prototype.hasOwnProperty.call(host.site.peers, siblingHost) ? host.site.peers[siblingHost] : undefined;
  if (!peer?.home) return undefined;
  return findReplicaByOid(hostLayout(peer.home), oid)?.dir;
}

export interface ActualResult {
  rows: RowChange[];
  /** Siblings whose actual row could not be read, with the reason. */
  unreachable: Array<{ replica: string; reason: string }>;
}

/**
 * chepoch -actual: replaces the estimate of each sibling's row by its actual row, read from
 * the sibling's storage when it lives on this machine (same home, or a peer home recorded with
 * addpeer -home). Other siblings need the network transport; they are reported and skipped,
 * as the original continues with the next sibling on a connection failure.
 */
export async function chepochActual(ctx: EngineContext, opts: { replicas: string[] }): Promise<ActualResult> {
  const host = openHost(ctx.home);
  const result: ActualResult = { rows: [], unreachable: [] };
  if (opts.replicas.length === 0) throw new EpochError('Name at least one sibling replica (REPLICA@VOB-TAG).');
  for (const text of opts.replicas) {
    const sel = parseReplicaSelector(text);
    const entry = findVobTag(host.layout, sel.tag, host.name);
    const r = await Replica.open(entry.dir, { command: 'chepoch -actual', onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs });
    try {
      const oid = siblingOid(r, sel.name, sel.tag);
      if (oid === r.oid) throw new EpochError(`Row "${r.name}" is this replica's own row: it is always actual.`);
      const sibHost = lookup(r.state.replicas, oid)?.host ?? '';
      const dir = findSiblingStorage(host, sibHost, oid);
      if (!dir) {
        const reason = new NeedsConnectionError(
          `Cannot read the actual row of replica "${sel.name}" on host "${sibHost}": its storage is not reachable from this machine (add the host with "multitool addpeer ${sibHost} ... -home DIR" if it is local; other hosts need the network transport).`,
        ).message;
        result.unreachable.push({ replica: sel.name, reason });
        continue;
      }
      const sib = await Replica.open(dir, { command: 'chepoch -actual (read)', readOnly: true });
      let actual: Record<string, number>;
      let incarnation: number;
      try {
        actual = { ...sib.ownRow() };
        incarnation = sib.identity.incarnation;
      } finally {
        sib.close();
      }
      const all: Record<string, number> = {};
      for (const c of new Set([...Object.keys(actual), ...Object.keys(r.epochs.rows[oid] ?? {})])) all[c] = actual[c] ?? 0;
      const changes = setRow(r, oid, all);
      r.epochs.incarnations[oid] = incarnation;
      r.saveEpochs();
      logHistory(ctx.home, `chepoch -actual row "${sel.name}" in replica "${r.name}": ${changes.map((c) => `${c.origin} ${c.from}->${c.to}`).join(', ') || 'no change'}`);
      result.rows.push({ replica: sel.name, changes });
    } finally {
      r.close();
    }
  }
  return result;
}

export interface RecoverResult {
  replica: string;
  /** Export time the row went back to (undefined: back to nothing, everything is resent). */
  since?: string;
  /**
   * Whether the row is now as it was before that export (it is resent: no -since) or after it
   * (-since: what followed it is resent).
   */
  point?: 'before' | 'after';
  changes: EpochChange[];
}

/**
 * recoverpacket: rolls a target's row back to an earlier export_sync record so the next
 * export resends. Without -since, to the start of the last export (resend the last packet);
 * with -since, to the row after the last export before that time.
 */
export async function recoverpacket(ctx: EngineContext, opts: { replicas: string[]; since?: Date }): Promise<RecoverResult[]> {
  const host = openHost(ctx.home);
  if (opts.replicas.length === 0) throw new EpochError('Name at least one replica (REPLICA@VOB-TAG).');
  const out: RecoverResult[] = [];
  for (const text of opts.replicas) {
    const sel = parseReplicaSelector(text);
    const entry = findVobTag(host.layout, sel.tag, host.name);
    const r = await Replica.open(entry.dir, { command: 'recoverpacket', onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs });
    try {
      const oid = siblingOid(r, sel.name, sel.tag);
      if (oid === r.oid) throw new EpochError(`A replica cannot update itself: "${sel.name}".`);
      const syncs = r.epochs.exportSyncs.filter((s) => s.target === oid);
      let to: Record<string, number>;
      let since: string | undefined;
      let point: 'before' | 'after' | undefined;
      if (opts.since) {
        const t = opts.since.getTime();
        const before = syncs.filter((s) => Date.parse(s.at) < t);
        const last = before[before.length - 1];
        if (last) {
          to = last.after;
          since = last.at;
          point = 'after';
        } else {
          // No export before that time is on record (none was made, or its record was dropped:
          // a replica keeps the last EXPORT_SYNCS_PER_TARGET per target). The row at that time is
          // unknown, so it goes back to nothing and everything is resent; the row before the
          // oldest record kept would leave out what the dropped ones carried.
          to = {};
          since = undefined;
        }
      } else {
        const last = syncs[syncs.length - 1];
        if (!last) throw new EpochError(`No export to replica "${sel.name}" is recorded in replica "${r.name}"; use chepoch to set its row.`);
        to = last.before;
        since = last.at;
        point = 'before';
      }
      const values: Record<string, number> = {};
      for (const c of new Set([...Object.keys(to), ...Object.keys(r.epochs.rows[oid] ?? {})])) values[c] = to[c] ?? 0;
      const changes = setRow(r, oid, values);
      r.saveEpochs();
      logHistory(ctx.home, `recoverpacket row "${sel.name}" in replica "${r.name}": ${changes.map((c) => `${c.origin} ${c.from}->${c.to}`).join(', ') || 'no change'}`);
      out.push({ replica: sel.name, since, point, changes });
    } finally {
      r.close();
    }
  }
  return out;
}

function chosenSiblings(r: Replica, tag: string, from: string[]): string[] {
  const out = new Set<string>();
  for (const text of from) {
    const sel = text.includes('@') ? parseReplicaSelector(text) : { name: text, tag };
    if (sel.tag !== tag) throw new EpochError(`Replica "${text}" is not in VOB "${tag}".`);
    const oid = siblingOid(r, sel.name, tag);
    if (oid === r.oid) throw new EpochError(`Replica "${sel.name}" is the replica being restored: name the siblings it is to wait for.`);
    out.add(oid);
  }
  return [...out];
}

export interface RestoreResult {
  replica: string;
  incarnation: number;
  previous: number;
  waitingFor: string[];
}

/**
 * restorereplica: after this replica was restored from backup, gives it a new incarnation and
 * makes it wait (no local changes) until every sibling has sent an update addressed to the new
 * incarnation. Its next exports tell each sibling the new incarnation and its actual row, and
 * each sibling then rolls its estimate back and resends what the backup lost.
 * `from` (replica names or NAME@TAG selectors of the same VOB), as the original's
 * replica-selectors, names the siblings to wait for instead of all of them: a replica object
 * whose replica was never made, or is gone, would otherwise never answer, and the restored
 * replica could never be changed again.
 */
export async function restorereplica(ctx: EngineContext, opts: { tag: string; from?: string[] }): Promise<RestoreResult> {
  const host = openHost(ctx.home);
  const entry = findVobTag(host.layout, opts.tag, host.name);
  const r = await Replica.open(entry.dir, { command: 'restorereplica', onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs });
  try {
    const previous = r.identity.incarnation;
    const incarnation = Math.max(previous + 1, Math.floor(Date.now() / 1000));
    const siblings = opts.from?.length ? chosenSiblings(r, opts.tag, opts.from) : Object.keys(r.state.replicas).filter((o) => o !== r.oid);
    r.identity = { ...r.identity, incarnation };
    r.epochs.recovery = { incarnation, waitingFor: siblings };
    if (siblings.length === 0) delete r.epochs.recovery;
    // Epochs first: a crash in between leaves the old incarnation with the recovery of a new one,
    // which refuses local changes (as it must) until a re-run, which starts over, completes it.
    r.saveEpochs();
    r.saveIdentity();
    // Snapshots made after the backup (a restore that copied files over the directory may have
    // left them) describe an oplog that is no more: they are ignored while they reach past its
    // end, but not once it grows past them again. Fresh ones, of the restored oplog, replace them.
    r.writeSnapshot();
    logHistory(ctx.home, `restorereplica "${r.name}": incarnation ${previous} -> ${incarnation}`);
    return { replica: r.name, incarnation, previous, waitingFor: siblings.map((o) => r.nameOf(o)) };
  } finally {
    r.close();
  }
}
