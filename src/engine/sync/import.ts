import * as fs from 'fs';
import * as path from 'path';
import { MultiSiteError } from '../errors';
import { configuredClasses, loadShippingConf, storageClassFor } from '../conf';
import { openHost } from '../host/host';
import { findReplicaByOid, findVobTag, type VobTagEntry } from '../host/registry';
import { hostKeyLookup } from '../host/site';
import { NotAPacketError, PacketChangedError, PacketError, QuarantineError } from '../packet/errors';
import { readPacketHeader } from '../packet/header';
import { openPacket } from '../packet/reader';
import { packetFilesIn } from '../packet/lspacket';
import { quarantine, type Quarantined } from '../packet/quarantine';
import type { HostKeyLookup, PacketHeader, PacketRecord, PacketTarget } from '../packet/types';
import type { BlobBatch } from '../store/blobStore';
import { BlobHashMismatchError } from '../store/errors';
import { raiseRow, rowOf } from '../store/epochMatrix';
import { BadRecordError, isValidOid, parseOpRecord, type Op } from '../store/ops';
import { lookup } from '../store/vobState';
import { Replica } from '../store/replica';
import type { EngineContext } from '../vob/access';
import type { MastershipViolation } from '../vob/entryMastership';
import { IncarnationError, MissingPredecessorError, SelectorError, UnknownOriginError } from './errors';
import { formatRow, logHistory } from './history';
import { CheckedAppend, missingContent, readPacketInto, type CarriedContent } from './intake';
import type { IncarnationNotice } from './units';

export interface ImportRequest {
  /** Packet files and directories of packets (absolute). */
  sources: string[];
  /** -receive: the incoming directories of the storage bays (of -sclass, else of every class). */
  receive?: boolean;
  sclass?: string;
  /** -invob: apply only to this local VOB. */
  tag?: string;
  onEvent?(e: ImportEvent): void;
}

export type ImportEvent =
  /** restored: the replica's name when this packet was the last update its restorereplica waited for. */
  | { type: 'applied'; packet: string; tag: string; dir: string; ops: number; restored?: string }
  | { type: 'already'; packet: string; tag: string; dir: string }
  | { type: 'skipped'; packet: string; reason: string }
  | { type: 'pending'; packet: string; tag: string; dir: string; error: MissingPredecessorError | UnknownOriginError }
  | { type: 'quarantined'; packet: string; reason: string; to: string }
  | { type: 'failed'; packet: string; error: MultiSiteError }
  | { type: 'removed'; packet: string };

export interface ImportResult {
  events: ImportEvent[];
  /** False when a packet could not be applied (missing predecessors, damage, failures). */
  ok: boolean;
}

interface Candidate {
  file: string;
  /** Came from a storage bay: removed once applied to every local target. */
  fromBay: boolean;
  explicit: boolean;
}

interface Job {
  file: string;
  header: PacketHeader;
  target: PacketTarget;
}

/**
 * refused: not for this target (quarantined at the end when in applyPacket's `refused`, else
 * kept), perhaps still for another one here;
 * vanished: the file went before it was read (another import took it from the bay).
 */
type Outcome = 'applied' | 'already' | 'pending' | 'gone' | 'refused' | 'vanished';

/** Incoming directories the -receive form reads. */
export function receiveDirs(home: string, sclass?: string): string[] {
  const conf = loadShippingConf(home);
  const classes = sclass !== undefined ? [storageClassFor(conf, sclass)] : configuredClasses(conf).map((c) => storageClassFor(conf, c));
  const dirs = new Set<string>();
  for (const c of classes) for (const b of c.storageBays) dirs.add(path.join(path.resolve(home, b), 'incoming'));
  return [...dirs];
}

function gather(home: string, req: ImportRequest, emit: (e: ImportEvent) => void): Candidate[] {
  const out = new Map<string, Candidate>();
  const add = (file: string, c: Omit<Candidate, 'file'>): void => {
    const key = path.resolve(file);
    if (!out.has(key)) out.set(key, { file: key, ...c });
  };
  if (req.receive) {
    for (const dir of receiveDirs(home, req.sclass)) {
      if (!fs.existsSync(dir)) continue;
      // A bay of shipping.conf whose incoming is a file: said, and the other bays still read.
      if (!fs.statSync(dir).isDirectory()) {
        emit({ type: 'skipped', packet: dir, reason: `storage bay directory ${dir} is not a directory (see shipping.conf)` });
        continue;
      }
      for (const f of packetFilesIn(dir)) add(f, { fromBay: true, explicit: false });
    }
  }
  for (const s of req.sources) {
    let st: fs.Stats;
    try {
      st = fs.statSync(s);
    } catch {
      throw new SelectorError(`Cannot import "${s}": no such file or directory.`);
    }
    if (st.isDirectory()) for (const f of packetFilesIn(s)) add(f, { fromBay: false, explicit: false });
    else add(s, { fromBay: false, explicit: true });
  }
  return [...out.values()];
}

/**
 * syncreplica -import. Packets and fragments are applied in the order their contents require,
 * whatever order they are given in, by passes that repeat while anything applies. Each packet
 * is read completely (signature, checksum, content hashes) before its entries are applied in
 * one oplog transaction; content is streamed into the blob store meanwhile, harmlessly if the
 * packet then turns out bad. A packet whose predecessors are missing stays where it is.
 */
export async function importSync(ctx: EngineContext, req: ImportRequest): Promise<ImportResult> {
  const host = openHost(ctx.home);
  // An unknown -invob would otherwise skip every packet and succeed.
  if (req.tag !== undefined) findVobTag(host.layout, req.tag, host.name);
  const keys = hostKeyLookup(host.site);
  const events: ImportEvent[] = [];
  const emit = (e: ImportEvent): void => {
    events.push(e);
    req.onEvent?.(e);
  };
  const plan = await planJobs(ctx.home, host, keys, req, gather(ctx.home, req, emit), emit);
  const run: ImportRun = {
    done: new Map(),
    gone: new Set(),
    refused: new Map(),
    waiting: new Set(),
    ok: !events.some((e) => e.type === 'failed' || e.type === 'quarantined'),
  };
  for (const group of plan.groups.values()) await importInto(ctx, keys, group, plan, run, emit);
  // A packet one local target refuses may be good for another: it is moved aside only once no
  // target here still waits for it.
  for (const [file, error] of run.refused) {
    if (run.gone.has(file)) continue;
    if (run.waiting.has(file)) emit({ type: 'failed', packet: file, error: new MultiSiteError(`${error.message.replace(/\.$/, '')}: packet ${file} is not applied there, and stays for the other replicas it is for.`) });
    else await toQuarantine(ctx.home, file, error.message, emit);
  }
  // A bay packet is removed once applied to every local target, including those -invob leaves out.
  for (const [file, n] of run.done) {
    if (plan.candidateOf.get(file)?.fromBay && n === plan.localTargets.get(file) && !run.gone.has(file)) {
      fs.rmSync(file, { force: true });
      emit({ type: 'removed', packet: file });
    }
  }
  return { events, ok: run.ok };
}

/** Which packets go to which local replica, from their headers. */
interface ImportPlan {
  /** Per local replica storage directory. */
  groups: Map<string, { entry: VobTagEntry; jobs: Job[] }>;
  /** Per packet, how many of its targets are replicas on this host. */
  localTargets: Map<string, number>;
  candidateOf: Map<string, Candidate>;
}

/** What the passes over every replica have found so far. */
interface ImportRun {
  /** Per packet, the local replicas it was applied to (or found already applied). */
  done: Map<string, number>;
  /** Packets quarantined, failed for good or vanished: no other replica tries them. */
  gone: Set<string>;
  /** Packets a replica refuses (an older incarnation), with why. */
  refused: Map<string, MultiSiteError>;
  /** Packets a replica still waits on (predecessors missing). */
  waiting: Set<string>;
  ok: boolean;
}

async function planJobs(home: string, host: ReturnType<typeof openHost>, keys: HostKeyLookup, req: ImportRequest, candidates: Candidate[], emit: (e: ImportEvent) => void): Promise<ImportPlan> {
  const plan: ImportPlan = { groups: new Map(), localTargets: new Map(), candidateOf: new Map() };
  for (const c of candidates) {
    plan.candidateOf.set(c.file, c);
    let header: PacketHeader;
    try {
      header = await readPacketHeader(c.file);
    } catch (e) {
      if (e instanceof NotAPacketError) {
        if (c.explicit) emit({ type: 'failed', packet: c.file, error: e });
        else emit({ type: 'skipped', packet: c.file, reason: `${c.file} is not a sync. packet` });
      } else if (e instanceof PacketError) {
        const dangling = danglingLink(c.file);
        // A link left in a bay to a file since removed is nothing to quarantine, but it is not
        // passed over in silence either (quarantine says nothing of a file that is not there).
        if (dangling !== undefined) emit({ type: 'skipped', packet: c.file, reason: `${c.file} is a symbolic link to ${dangling}, which leads to no file` });
        else await toQuarantine(home, c.file, e.message, emit);
      } else if (e instanceof MultiSiteError) {
        emit({ type: 'failed', packet: c.file, error: e });
      } else throw e;
      continue;
    }
    if (header.kind === 'creation') {
      emit({ type: 'skipped', packet: c.file, reason: `${c.file} is a replica-creation packet; apply it with "multitool mkreplica -import"` });
      continue;
    }
    const notHere: string[] = [];
    let count = 0;
    let local = 0;
    for (const t of header.targets) {
      const entry = t.host === host.name ? findReplicaByOid(host.layout, t.oid) : undefined;
      if (entry) local++;
      if (!entry || (req.tag !== undefined && entry.tag !== req.tag)) {
        notHere.push(elsewhere(t, entry, host.name));
        continue;
      }
      count++;
      const g = plan.groups.get(entry.dir) ?? { entry, jobs: [] };
      g.jobs.push({ file: c.file, header, target: t });
      plan.groups.set(entry.dir, g);
    }
    plan.localTargets.set(c.file, local);
    if (count === 0 && local === 0 && (await damagedFromPeer(home, c.file, header, keys, emit))) continue;
    if (count === 0) {
      const where = local > 0 ? `VOB "${req.tag}" on this host (${host.name})` : `a replica on this host (${host.name})`;
      emit({ type: 'skipped', packet: c.file, reason: `packet ${c.file} is not for ${where}: its targets are ${notHere.join(', ')}` });
    }
  }
  return plan;
}

/**
 * Where a target this import does not apply to is, for the "not for" message. One that names this
 * host but no replica here had its replica object made (mkreplica -export at a sibling) and its
 * creation packet not imported yet: the packet stays for after that.
 */
function elsewhere(t: PacketTarget, entry: VobTagEntry | undefined, hostName: string): string {
  if (entry) return `"${t.name}" (VOB ${entry.tag})`;
  if (t.host === hostName) return `"${t.name}" (this host, but no such replica here yet: import its creation packet with "multitool mkreplica -import" first; this packet stays until then)`;
  return `"${t.name}" (host ${t.host || 'unknown'})`;
}

/** Where a symbolic link that leads nowhere points; undefined for anything else. */
function danglingLink(file: string): string | undefined {
  try {
    if (!fs.lstatSync(file).isSymbolicLink() || fs.existsSync(file)) return undefined;
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}

/**
 * A packet naming no replica here is not this host's to apply, but when a known peer signed it
 * its signature is checked (header, size and signature; the body is left unread): damage to the
 * header can itself be what sends its targets elsewhere (a host or replica oid altered on the
 * way), and such a packet is quarantined as damaged, not passed over as meant for another host
 * and left in the bay for ever. A packet from a host this one does not know is left alone.
 */
async function damagedFromPeer(home: string, file: string, header: PacketHeader, keys: HostKeyLookup, emit: (e: ImportEvent) => void): Promise<boolean> {
  try {
    if (!keys(header.sendingHost)) return false;
  } catch {
    // An unreadable key of a peer: the packets meant for this host will say so.
    return false;
  }
  try {
    await openPacket(file, keys);
    return false;
  } catch (e) {
    if (!(e instanceof PacketError) || !fs.existsSync(file)) return false;
    await toQuarantine(home, file, e.message, emit);
    return true;
  }
}

/** One local replica's packets, in passes that repeat while anything applies. */
async function importInto(
  ctx: EngineContext,
  keys: HostKeyLookup,
  { entry, jobs }: { entry: VobTagEntry; jobs: Job[] },
  plan: ImportPlan,
  run: ImportRun,
  emit: (e: ImportEvent) => void,
): Promise<void> {
  const r = await Replica.open(entry.dir, { command: 'syncreplica -import', onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs, view: 'skeleton' });
  try {
    let pending = jobs.sort(jobOrder);
    const missing = new Map<string, MissingPredecessorError | UnknownOriginError>();
    for (let progress = true; progress && pending.length > 0; ) {
      progress = false;
      const next: Job[] = [];
      for (const job of pending) {
        if (run.gone.has(job.file)) continue;
        const outcome = await applyPacket(ctx.home, keys, r, entry, job, emit, missing, run.refused);
        if (outcome === 'pending') next.push(job);
        else if (outcome === 'refused') run.ok = false;
        else {
          progress = true;
          if (outcome === 'vanished') {
            run.gone.add(job.file);
            // From a bay, the usual cause is another import that applied it and removed it.
            if (!plan.candidateOf.get(job.file)?.fromBay) run.ok = false;
            emit({ type: 'skipped', packet: job.file, reason: `packet ${job.file} is no longer there (another import may have taken it); nothing was applied from it here` });
          } else if (outcome === 'gone') {
            run.gone.add(job.file);
            run.ok = false;
          } else run.done.set(job.file, (run.done.get(job.file) ?? 0) + 1);
        }
      }
      pending = next;
    }
    for (const job of pending) {
      if (run.gone.has(job.file)) continue;
      run.ok = false;
      run.waiting.add(job.file);
      emit({ type: 'pending', packet: job.file, tag: entry.tag, dir: entry.dir, error: missing.get(job.file) as MissingPredecessorError | UnknownOriginError });
    }
  } finally {
    r.close();
  }
}

function jobOrder(a: Job, b: Job): number {
  const ha = a.header;
  const hb = b.header;
  if (ha.origin.oid !== hb.origin.oid) return ha.origin.oid < hb.origin.oid ? -1 : 1;
  if (ha.sequence !== hb.sequence) return ha.sequence - hb.sequence;
  if (ha.fragment.index !== hb.fragment.index) return ha.fragment.index - hb.fragment.index;
  return a.file < b.file ? -1 : 1;
}

async function toQuarantine(home: string, file: string, reason: string, emit: (e: ImportEvent) => void): Promise<void> {
  if (!fs.existsSync(file)) return;
  let q: Quarantined;
  try {
    q = await quarantine(file, reason, home);
  } catch (e) {
    if (!(e instanceof QuarantineError)) throw e;
    // Nothing was applied from it either way: say why, leave it, and go on with the other packets.
    emit({ type: 'failed', packet: file, error: new MultiSiteError(`${reason.replace(/\.$/, '')}; it could not be moved to quarantine: ${e.message}`) });
    return;
  }
  emit({ type: 'quarantined', packet: file, reason, to: q.path });
}

function parseNotice(rec: PacketRecord): IncarnationNotice {
  const n = rec as Record<string, unknown>;
  const row = n.row;
  if (typeof n.replica !== 'string' || !isValidOid(n.replica) || typeof n.incarnation !== 'number' || !Number.isSafeInteger(n.incarnation) || n.incarnation < 0 || typeof row !== 'object' || row === null) {
    throw new BadRecordError('malformed incarnation notice');
  }
  const clean: Record<string, number> = {};
  for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
    if (!isValidOid(k) || typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new BadRecordError('malformed incarnation notice row');
    clean[k] = v;
  }
  return { kind: 'replica.incarnation', replica: n.replica, incarnation: n.incarnation, row: clean };
}

async function applyPacket(
  home: string,
  keys: HostKeyLookup,
  r: Replica,
  entry: VobTagEntry,
  job: Job,
  emit: (e: ImportEvent) => void,
  missing: Map<string, MissingPredecessorError | UnknownOriginError>,
  refused: Map<string, MultiSiteError>,
): Promise<Outcome> {
  const { header, file, target } = job;
  if (!fs.existsSync(file)) return 'vanished';
  const early = await checkHeader(home, r, job, emit, missing, refused);
  if (early) return early;
  const own = { ...r.ownRow() };
  const intake = new PacketIntake(r, file, header, own);
  try {
    let batch: BlobBatch;
    try {
      batch = (await readPacketInto(r, file, keys, intake.take, header)).batch;
    } catch (e) {
      if (e instanceof PacketChangedError) {
        emit({ type: 'failed', packet: file, error: e });
        return 'gone';
      }
      // Not a damaged packet: one removed since the check above (opening it then fails).
      if (!fs.existsSync(file)) return 'vanished';
      if (e instanceof PacketError || e instanceof BlobHashMismatchError) {
        await toQuarantine(home, file, e.message, emit);
        return 'gone';
      }
      throw e;
    }
    const verdict = intake.verdict();
    if (verdict) {
      await batch.abort();
      if (verdict.quarantine !== undefined) {
        await toQuarantine(home, file, verdict.quarantine, emit);
        return 'gone';
      }
      missing.set(file, verdict.wait);
      return 'pending';
    }
    // Content first: an entry is never committed before the content it names.
    await batch.commit();
    intake.commit();
  } finally {
    intake.abort();
  }
  const applied = intake.applied;
  const { learned, restored } = recordImport(r, header, target, intake.notices);
  logHistory(home, `import sync from replica "${header.origin.name}" to replica "${r.name}" (${applied} entries, packet ${file}) Row at import was: ${formatRow(own, (o) => r.nameOf(o))}`);
  const hadOps = header.ranges.length > 0;
  // A restored sibling's first packet may carry only entries this replica has: its new
  // incarnation (and the row rolled back to resend what it lost) is still news, not "already".
  if (hadOps && applied === 0 && !learned) {
    emit({ type: 'already', packet: file, tag: entry.tag, dir: entry.dir });
    return 'already';
  }
  emit({ type: 'applied', packet: file, tag: entry.tag, dir: entry.dir, ops: applied, ...(restored ? { restored: r.name } : {}) });
  return 'applied';
}

/** What the header alone decides, before the body is read: an outcome, or undefined to read on. */
async function checkHeader(
  home: string,
  r: Replica,
  { header, file, target }: Job,
  emit: (e: ImportEvent) => void,
  missing: Map<string, MissingPredecessorError | UnknownOriginError>,
  refused: Map<string, MultiSiteError>,
): Promise<Outcome | undefined> {
  if (header.familyOid !== r.identity.familyOid) {
    await toQuarantine(home, file, `packet is for VOB family ${header.familyOid}, but replica "${r.name}" belongs to ${r.identity.familyOid}`, emit);
    return 'gone';
  }
  if (target.incarnation < r.identity.incarnation) {
    refused.set(file, new IncarnationError(r.name, target.incarnation, r.identity.incarnation));
    return 'refused';
  }
  if (target.incarnation > r.identity.incarnation) {
    emit({
      type: 'failed',
      packet: file,
      error: new MultiSiteError(`Packet ${file} is for incarnation ${target.incarnation} of replica "${r.name}", which is at ${r.identity.incarnation}; this replica is older than its siblings think: run restorereplica.`),
    });
    // Kept, for this replica once restored and for the other targets here meanwhile.
    return 'refused';
  }
  const own = r.ownRow();
  for (const range of header.ranges) {
    const have = own[range.oid] ?? 0;
    if (range.firstOplogId > have + 1) {
      missing.set(file, new MissingPredecessorError(file, range.firstOplogId - 1, have, r.nameOf(range.oid) === range.oid ? range.name : r.nameOf(range.oid)));
      return 'pending';
    }
  }
  return undefined;
}

/**
 * The records of one packet, checked as they are read: the entries to apply go straight into the
 * oplog, uncommitted (CheckedAppend), so an import holds none of them whatever the packet's size.
 * What a record gets wrong is remembered and acted on once the whole packet has been read and
 * its hash and signature hold (verdict), in this order: a record that is not a valid entry, a
 * replica unknown here, a missing predecessor, an entry not made at its master.
 */
class PacketIntake {
  readonly notices: IncarnationNotice[] = [];
  private badRecord: BadRecordError | undefined;
  /** The host the packet's own origin is created on, when the packet creates it. */
  private createdOn: string | undefined;
  private need: MissingPredecessorError | undefined;
  private violation: MastershipViolation | undefined;
  private readonly row: Record<string, number>;
  private readonly lastInPacket = new Map<string, number>();
  private readonly append: CheckedAppend;

  constructor(
    private readonly r: Replica,
    private readonly file: string,
    private readonly header: PacketHeader,
    own: Record<string, number>,
  ) {
    this.row = { ...own };
    this.append = new CheckedAppend(r, (o) => r.nameOf(o));
  }

  get applied(): number {
    return this.append.count;
  }

  /** readPacketInto's callback, once per record (an arrow property: it is passed on its own). */
  readonly take = (rec: PacketRecord, carried: CarriedContent): undefined => {
    if (this.badRecord) return undefined;
    const op = this.parse(rec);
    if (!op) return undefined;
    const { r, row } = this;
    // An export carries each origin's entries in an unbroken run: a gap inside the packet is not
    // a predecessor to wait for (the packet would wait for ever), the packet is malformed.
    const last = this.lastInPacket.get(op.origin);
    if (last !== undefined && op.id !== last + 1) {
      this.badRecord = new BadRecordError(`entry ${op.id} from replica "${r.nameOf(op.origin)}" follows entry ${last} in the packet, not entry ${last + 1}`);
      return undefined;
    }
    this.lastInPacket.set(op.origin, op.id);
    if ((op.kind === 'replica.create' || op.kind === 'vob.create') && op.replica === this.header.origin.oid) this.createdOn = op.host;
    // Claimed for every version, applied or not, so that each carried copy matches its own entry.
    const noContent = missingContent(r, op, carried, (o) => r.nameOf(o));
    if (this.need) return undefined;
    const have = row[op.origin] ?? 0;
    if (op.id <= have) return undefined;
    // A replica knows every entry it made: one of its own it lacks can only be a lost one sent back
    // after restorereplica (while it recovers); otherwise a peer is passing off an entry as its.
    if (op.origin === r.oid && !r.epochs.recovery) {
      this.badRecord = new BadRecordError(`entry ${op.id} from replica "${r.name}", this replica, which has only ${have} of its own and is not recovering from a restore`);
      return undefined;
    }
    if (noContent) {
      this.badRecord = noContent;
      return undefined;
    }
    if (op.id > have + 1) this.need = new MissingPredecessorError(this.file, op.id - 1, have, r.nameOf(op.origin));
    for (const [c, n] of Object.entries(op.deps ?? {})) {
      if (!this.need && (row[c] ?? 0) < n) this.need = new MissingPredecessorError(this.file, n, row[c] ?? 0, r.nameOf(c));
    }
    if (this.need) return undefined;
    row[op.origin] = op.id;
    if (!this.violation) this.violation = this.append.add(op);
    return undefined;
  };

  /** The record as an oplog entry; undefined for a notice (kept) or a record of a newer kind, or a bad one (remembered). */
  private parse(rec: PacketRecord): Op | undefined {
    try {
      if (rec.kind === 'replica.incarnation') {
        const notice = parseNotice(rec);
        // Only a restored replica announces its restore (export's incarnationNotice): a notice
        // about another would let any peer roll back or inflate this replica's estimates of it.
        if (notice.replica !== this.header.origin.oid) throw new BadRecordError(`incarnation notice about replica "${this.r.nameOf(notice.replica)}" in a packet from replica "${this.header.origin.name}"`);
        this.notices.push(notice);
        return undefined;
      }
      // Other record kinds are from a newer minor version: nothing here depends on them.
      if (rec.origin === undefined && rec.id === undefined) return undefined;
      return parseOpRecord(rec);
    } catch (e) {
      if (!(e instanceof BadRecordError)) throw e;
      this.badRecord = e;
      return undefined;
    }
  }

  /**
   * Once the body holds: why the packet cannot be applied (moved to quarantine, or left to wait),
   * or undefined to commit. The signature (checked while reading) proves which host sent the
   * packet; the replica that generated it must live on that host, or any configured peer could
   * speak for replicas it does not hold.
   */
  verdict(): { quarantine: string; wait?: undefined } | { quarantine?: undefined; wait: MissingPredecessorError | UnknownOriginError } | undefined {
    const { header, r } = this;
    const originHost = lookup(r.state.replicas, header.origin.oid)?.host;
    if (originHost !== undefined && originHost !== header.sendingHost) return { quarantine: signerMismatch(header, originHost) };
    if (this.badRecord) return { quarantine: this.badRecord.message };
    // A replica this one has not heard of yet: its creation must travel in this packet, made for
    // the signing host; otherwise wait for the packets that introduce it.
    if (originHost === undefined && this.createdOn !== undefined && this.createdOn !== header.sendingHost) return { quarantine: signerMismatch(header, this.createdOn) };
    if (originHost === undefined && this.createdOn === undefined) return { wait: new UnknownOriginError(this.file, header.origin.name, r.name) };
    if (this.need) return { wait: this.need };
    if (this.violation) return { quarantine: this.violation.reason };
    return undefined;
  }

  commit(): void {
    this.append.commit(this.row);
  }

  /** A no-op once committed. */
  abort(): void {
    this.append.abort();
  }
}

/**
 * The epoch bookkeeping of an applied packet: restore notices, the sender's row, a recovery it
 * completes. learned: it told of a restore not known before, or answered this replica's;
 * restored: it was the last answer this replica's restore waited for.
 */
function recordImport(r: Replica, header: PacketHeader, target: PacketTarget, notices: IncarnationNotice[]): { learned: boolean; restored: boolean } {
  let learned = false;
  let restored = false;
  for (const n of notices) {
    if (n.replica === r.oid) continue;
    if (n.incarnation > (r.epochs.incarnations[n.replica] ?? 0)) {
      // The sibling was restored from backup: it has only what its row says; send it the rest.
      r.epochs.incarnations[n.replica] = n.incarnation;
      r.epochs.rows[n.replica] = { ...n.row };
      learned = true;
    }
  }
  // Every export of a restored replica leads with its notice: a packet without one as recent as
  // the origin's known incarnation was made before the restore, and its row is what the origin
  // had then, not what it has now (taking it, this replica would never resend what it lost).
  const madeAt = notices.reduce((m, n) => Math.max(m, n.incarnation), 0);
  if (header.origin.oid !== r.oid && madeAt >= (r.epochs.incarnations[header.origin.oid] ?? 0)) raiseRow(rowOf(r.epochs, header.origin.oid), header.senderRow);
  const rec = r.epochs.recovery;
  if (rec && target.incarnation === rec.incarnation) {
    // The sibling's answer to this replica's restore is news too, whatever entries it carries.
    if (rec.waitingFor.includes(header.origin.oid)) learned = true;
    rec.waitingFor = rec.waitingFor.filter((o) => o !== header.origin.oid);
    if (rec.waitingFor.length === 0) {
      delete r.epochs.recovery;
      restored = true;
    }
  }
  r.saveEpochs();
  return { learned, restored };
}

function signerMismatch(header: PacketHeader, originHost: string): string {
  return `packet from replica "${header.origin.name}" was signed by host "${header.sendingHost}", but that replica is on host "${originHost}"`;
}
