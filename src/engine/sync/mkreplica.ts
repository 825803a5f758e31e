import * as fs from 'fs';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { openHost } from '../host/host';
import { checkNewStorageDir, defaultVobDir, findReplicaByOid, findVobTag, listVobTags, registerVobTag, vobTagProblem, type VobTagEntry } from '../host/registry';
import { VobTagExistsError } from '../host/errors';
import { hostKeyLookup } from '../host/site';
import { hostNameProblem } from '../host/host';
import { readPacketHeader } from '../packet/header';
import type { PacketHeader, PacketRecord, WrittenPacket } from '../packet/types';
import { fsyncDir } from '../store/durable';
import type { LocalEpochs } from '../store/epochMatrix';
import { isValidName, isValidOid, parseOpRecord, type Op } from '../store/ops';
import { sweepDeadBuilds } from '../store/lock';
import { Replica, STORE_FORMAT } from '../store/replica';
import { lookup } from '../store/vobState';
import type { EngineContext } from '../vob/access';
import { assertNotRecovering } from '../vob/mastership';
import { CreationRefusedError, EpochError, ReplicaExistsError, SelectorError } from './errors';
import { outputPlace, packetTarget, prewarmForHistory, writeFromReplica } from './export';
import { releasePrewarmedBodyHash } from '../packet/bodyDigest';
import { logHistory } from './history';
import { CheckedAppend, missingContent, readPacketInto, type CarriedContent } from './intake';
import { parseHostReplicaSelector } from './selector';
import { collectUnits } from './units';

/** First record of a creation packet: who the new replica is and the sender's matrix. */
interface CreationRecord {
  kind: 'replica.creation';
  replica: string;
  name: string;
  host: string;
  rows: Record<string, Record<string, number>>;
  incarnations: Record<string, number>;
}

export interface MkreplicaExportRequest {
  /** HOST:REPLICA@TAG */
  target: string;
  workdir: string;
  out: string;
  maxBytes?: number;
  comment?: string;
  onWarning?(text: string): void;
}

export interface MkreplicaExportResult {
  replica: string;
  replicaOid: string;
  host: string;
  packets: WrittenPacket[];
}

/** -workdir is scratch space, made when missing; a file in its way is for the user to move. */
function makeWorkdir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new SelectorError(`Working directory ${dir} is not a directory; give another -workdir.`);
    throw e;
  }
}

/**
 * mkreplica -export: creates the new replica object at once (it survives a failed transfer, as
 * in the original), then writes a creation packet with every oplog entry, all content and the
 * sender's epoch matrix. The sender's estimate row for the new replica stays at zero.
 */
export async function mkreplicaExport(ctx: EngineContext, req: MkreplicaExportRequest): Promise<MkreplicaExportResult> {
  const host = openHost(ctx.home);
  const sel = parseHostReplicaSelector(req.target);
  if (!isValidName(sel.name)) throw new SelectorError(`Invalid replica name "${sel.name}".`);
  if (hostNameProblem(sel.host)) throw new SelectorError(`Invalid host name "${sel.host}".`);
  if (sel.host !== host.name && !Object.prototype.hasOwnProperty.call(host.site.peers, sel.host)) {
    // The new replica's packets are signed by its host; without that host's key here they will be refused.
    req.onWarning?.(`Host "${sel.host}" is not a peer of host "${host.name}": packets from replica "${sel.name}" will be refused here until you run "multitool addpeer ${sel.host} -address A -port N -key FILE".`);
  }
  makeWorkdir(req.workdir);
  const entry = findVobTag(host.layout, sel.tag, host.name);
  prewarmForHistory(entry.dir);
  // The skeleton: enough to record the new replica object; the creation packet's entries are
  // then read from the oplog a line at a time as the packet is written (collectUnits).
  const r = await Replica.open(entry.dir, { command: 'mkreplica -export', onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs, view: 'skeleton' }).catch((e: unknown) => {
    releasePrewarmedBodyHash();
    throw e;
  });
  try {
    const existing = r.oidOf(sel.name);
    // An export killed (or failed) between recording the object and finishing its packet: the
    // re-run writes the packet of that object rather than refusing a name it cannot take back.
    // (Those never recorded, by a kill just before, go.)
    const creating = (Array.isArray(r.epochs.creating) ? r.epochs.creating : []).filter((o) => lookup(r.state.replicas, o) !== undefined);
    const unfinished = existing !== undefined && creating.includes(existing) && lookup(r.state.replicas, existing)?.host === sel.host;
    if (existing && !unfinished) throw new ReplicaExistsError(sel.name);
    // After that check (a re-run whose packet was written is told the replica exists, not that
    // the packet file does) and before the object is recorded.
    const place = outputPlace(req.out, 1);
    assertNotRecovering(r);
    let oid: string;
    if (unfinished) {
      oid = existing;
      req.onWarning?.(`Replica object "${sel.name}" was created by a mkreplica -export that did not finish; writing its creation packet again.`);
    } else {
      oid = randomUUID();
      // Saved before the object is recorded: a kill right after recording it still finds it here.
      r.epochs.creating = [...creating, oid];
      r.saveEpochs();
      r.record([{ kind: 'replica.create', replica: oid, name: sel.name, host: sel.host }]);
      r.epochs.rows[oid] = {};
    }
    const rows: Record<string, Record<string, number>> = { ...r.epochs.rows, [r.oid]: { ...r.ownRow() } };
    delete rows[oid];
    const creation: CreationRecord = { kind: 'replica.creation', replica: oid, name: sel.name, host: sel.host, rows, incarnations: { ...r.epochs.incarnations, [r.oid]: r.identity.incarnation } };
    const collected = await collectUnits(r, {}, [creation as unknown as PacketRecord]);
    const packets = await writeFromReplica(host, r, {
      kind: 'creation',
      place,
      targets: [packetTarget(r, oid)],
      units: collected.units,
      maxBytes: req.maxBytes,
      comment: req.comment,
      onWarning: req.onWarning,
    });
    r.epochs.creating = creating.filter((o) => o !== oid);
    if (r.epochs.creating.length === 0) delete r.epochs.creating;
    r.saveEpochs();
    logHistory(ctx.home, `mkreplica export from replica "${r.name}" creating replica "${sel.name}" on host "${sel.host}" (${collected.ops} entries)`);
    return { replica: sel.name, replicaOid: oid, host: sel.host, packets };
  } finally {
    r.close();
    releasePrewarmedBodyHash();
  }
}

export interface MkreplicaImportRequest {
  packets: string[];
  workdir: string;
  tag: string;
  vobDir?: string;
}

export interface MkreplicaImportResult {
  replica: string;
  tag: string;
  dir: string;
  ops: number;
}

function parseCreation(rec: PacketRecord | undefined): CreationRecord {
  const c = rec as Record<string, unknown> | undefined;
  if (!c || c.kind !== 'replica.creation' || typeof c.replica !== 'string' || !isValidOid(c.replica) || typeof c.name !== 'string' || !isValidName(c.name)) {
    throw new EpochError('The creation packet does not start with a replica-creation record.');
  }
  const rows: Record<string, Record<string, number>> = {};
  for (const [k, v] of Object.entries((c.rows ?? {}) as Record<string, unknown>)) {
    if (!isValidOid(k) || typeof v !== 'object' || v === null) continue;
    rows[k] = {};
    for (const [kk, vv] of Object.entries(v as Record<string, unknown>)) if (isValidOid(kk) && typeof vv === 'number' && Number.isSafeInteger(vv) && vv >= 0) rows[k][kk] = vv;
  }
  const incarnations: Record<string, number> = {};
  for (const [k, v] of Object.entries((c.incarnations ?? {}) as Record<string, unknown>)) if (isValidOid(k) && typeof v === 'number' && Number.isSafeInteger(v)) incarnations[k] = v;
  return { kind: 'replica.creation', replica: c.replica, name: c.name, host: String(c.host ?? ''), rows, incarnations };
}

/**
 * The tag is taken. By this very replica when a run completed (or was killed after registering
 * it): say that, as for a replica registered under another tag, rather than send the
 * administrator to pick another tag for a replica this host already has.
 */
async function tagTakenError(taken: VobTagEntry, req: MkreplicaImportRequest): Promise<Error> {
  const target = req.packets.length > 0 ? await readPacketHeader(req.packets[0]).then((h) => h.targets[0], () => undefined) : undefined;
  return target && target.oid === taken.replicaOid ? new ReplicaExistsError(target.name) : new VobTagExistsError(req.tag);
}

/**
 * mkreplica -import: builds the new replica from every fragment of a creation packet in a
 * temporary directory (content streamed into its store, entries checked to be complete and in
 * order) and only then moves it into place and registers the tag.
 */
export async function mkreplicaImport(ctx: EngineContext, req: MkreplicaImportRequest): Promise<MkreplicaImportResult> {
  const host = openHost(ctx.home);
  const problem = vobTagProblem(req.tag);
  if (problem) throw new SelectorError(`Invalid VOB tag "${req.tag}": ${problem}.`);
  const taken = listVobTags(host.layout).find((t) => t.tag === req.tag);
  if (taken) throw await tagTakenError(taken, req);
  if (req.packets.length === 0) throw new SelectorError('Missing replica-creation packet.');
  makeWorkdir(req.workdir);
  const fragments = await creationFragments(req.packets);
  const first = fragments[0].header;
  const target = first.targets[0];
  if (!target) throw new SelectorError(`Packet ${fragments[0].file} names no replica to create.`);
  if (target.host !== host.name) throw new SelectorError(`Packet ${fragments[0].file} creates replica "${target.name}" on host "${target.host}", not on this host ("${host.name}").`);
  if (findReplicaByOid(host.layout, target.oid)) throw new ReplicaExistsError(target.name);
  const dir = path.resolve(req.vobDir ?? defaultVobDir(host.layout, req.tag));
  sweepDeadBuilds(dir);
  // A run killed after renaming the finished storage into place but before registering it: its
  // storage is whole (renamed only once built and synced), and only registering it is left.
  let ops = await finishedBuild(dir, target.oid, req.tag);
  if (ops === undefined) {
    if (fs.existsSync(dir)) throw new SelectorError(`Storage directory ${dir} already exists; choose another with -vob.`);
    checkNewStorageDir(host.layout, dir);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const tmp = `${dir}.new-${process.pid}-${Date.now().toString(36)}`;
    try {
      ops = await buildReplica(tmp, host, req.tag, fragments);
      fs.renameSync(tmp, dir);
      fsyncDir(path.dirname(dir));
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  try {
    await registerVobTag(host.layout, { tag: req.tag, dir, familyOid: first.familyOid, replicaOid: target.oid, replicaName: target.name });
  } catch (e) {
    // Not if a run at the same time registered it meanwhile.
    if (!findReplicaByOid(host.layout, target.oid)) fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  logHistory(ctx.home, `mkreplica import of replica "${target.name}" as VOB "${req.tag}" (${ops} entries)`);
  return { replica: target.name, tag: req.tag, dir, ops };
}

interface CreationFragment {
  file: string;
  header: PacketHeader;
}

/**
 * The headers of every fragment of one creation packet, in fragment order: all of them, each
 * once. A fragment given twice (the same file, or a copy) is read once; two different ones with
 * one number cannot both be right.
 */
async function creationFragments(files: string[]): Promise<CreationFragment[]> {
  const given: CreationFragment[] = [];
  for (const file of files) {
    const header = await readPacketHeader(file);
    if (header.kind !== 'creation') throw new SelectorError(`Packet ${file} is not a replica-creation packet; apply it with "multitool syncreplica -import".`);
    given.push({ file, header });
  }
  const first = given[0].header;
  if (given.some((f) => f.header.packetId !== first.packetId)) throw new SelectorError('The packets given belong to different replica-creation packets; give the fragments of one.');
  const count = first.fragment.count;
  if (given.some((f) => f.header.fragment.count !== count)) throw new SelectorError(`The fragments of replica-creation packet ${first.packetId} disagree on how many there are; it cannot be used.`);
  const byIndex = new Map<number, CreationFragment>();
  for (const f of given) {
    const seen = byIndex.get(f.header.fragment.index);
    if (!seen) byIndex.set(f.header.fragment.index, f);
    else if (JSON.stringify(seen.header) !== JSON.stringify(f.header)) {
      throw new SelectorError(`Packets ${seen.file} and ${f.file} are both fragment ${f.header.fragment.index} of replica-creation packet ${first.packetId}, but they differ; give one of them.`);
    }
  }
  const fragments = [...byIndex.values()].sort((a, b) => a.header.fragment.index - b.header.fragment.index);
  if (fragments.length !== count) {
    throw new SelectorError(`Replica-creation packet ${first.packetId} is incomplete: have fragment(s) ${fragments.map((f) => f.header.fragment.index).join(', ')} of ${count}.`);
  }
  return fragments;
}

/**
 * Makes the new replica in `tmp` from the fragments, as an import builds: entries checked as they
 * are read and appended to the oplog, the skeleton kept up to date; no state of every version is
 * held (the first full open of the new replica derives it from the oplog). Returns how many
 * entries it took.
 */
async function buildReplica(tmp: string, host: ReturnType<typeof openHost>, tag: string, fragments: CreationFragment[]): Promise<number> {
  const first = fragments[0].header;
  const target = first.targets[0];
  const epochs: LocalEpochs = { rows: {}, incarnations: {}, exportSyncs: [], sequence: 0 };
  Replica.initialize(tmp, { format: STORE_FORMAT, familyOid: first.familyOid, oid: target.oid, name: target.name, host: host.name, tag, incarnation: 0, createdAt: new Date().toISOString() }, epochs);
  const r = await Replica.open(tmp, { command: 'mkreplica -import', view: 'skeleton' });
  try {
    const keys = hostKeyLookup(host.site);
    const names = new Map<string, string>();
    let creation: CreationRecord | undefined;
    let ops = 0;
    for (const fragment of fragments) {
      const taken = await applyCreationFragment(r, fragment, keys, names);
      ops += taken.ops;
      creation = taken.creation ?? creation;
    }
    if (!creation || creation.replica !== target.oid) throw new EpochError('The creation packet does not describe the replica it is addressed to.');
    checkCreatedReplica(r, fragments);
    r.epochs.rows = creation.rows;
    r.epochs.rows[first.origin.oid] = { ...first.senderRow };
    delete r.epochs.rows[target.oid];
    r.epochs.incarnations = creation.incarnations;
    r.saveEpochs();
    r.writeSnapshot();
    return ops;
  } finally {
    r.close();
  }
}

/**
 * Applies one fragment's entries to the replica being built. The creating replica's history is
 * checked like any import: each entry from the master of what it changes, as of that entry
 * (nothing is registered if one is not). Problems are raised only once the whole fragment has
 * been read and checked, as before any use: a record that is not a valid, consecutive entry
 * before an entry not made at its master, wherever each comes in the fragment.
 */
async function applyCreationFragment(
  r: Replica,
  { file, header }: CreationFragment,
  keys: ReturnType<typeof hostKeyLookup>,
  names: Map<string, string>,
): Promise<{ ops: number; creation?: CreationRecord }> {
  const nameOf = (o: string): string => names.get(o) ?? r.nameOf(o);
  const row: Record<string, number> = { ...r.ownRow() };
  const append = new CheckedAppend(r, nameOf);
  let creation: CreationRecord | undefined;
  let malformed: Error | undefined;
  let refused: CreationRefusedError | undefined;
  const take = (rec: PacketRecord, carried: CarriedContent): undefined => {
    if (malformed) return undefined;
    let op: Op;
    try {
      if (rec.kind === 'replica.creation') {
        creation = parseCreation(rec);
        return undefined;
      }
      if (rec.origin === undefined && rec.id === undefined) return undefined;
      op = parseOpRecord(rec);
      const expected = (row[op.origin] ?? 0) + 1;
      if (op.id !== expected) throw new EpochError(`Replica-creation packet is not consecutive: entry ${op.id} from replica ${op.origin} follows ${expected - 1}.`);
      const noContent = missingContent(r, op, carried, nameOf);
      if (noContent) throw noContent;
    } catch (e) {
      malformed = e as Error;
      return undefined;
    }
    row[op.origin] = op.id;
    if (op.kind === 'vob.create' || op.kind === 'replica.create') names.set(op.replica, op.name);
    if (refused) return undefined;
    const violation = append.add(op);
    if (violation) refused = new CreationRefusedError(file, violation.reason);
    return undefined;
  };
  try {
    const { batch } = await readPacketInto(r, file, keys, take, header);
    const problem = malformed ?? refused;
    if (problem) {
      await batch.abort();
      throw problem;
    }
    await batch.commit();
    append.commit(row);
    return { ops: append.count, creation };
  } finally {
    append.abort();
  }
}

/**
 * The built replica against the headers. As for syncreplica -import: the signature proves which
 * host sent each fragment, and the replica that generated it must live on that host, or any
 * configured peer could pass off a history as another host's replica's. And the new replica's
 * identity comes from the header: it must be the one the history made.
 */
function checkCreatedReplica(r: Replica, fragments: CreationFragment[]): void {
  for (const { file, header } of fragments) {
    const originHost = lookup(r.state.replicas, header.origin.oid)?.host;
    if (originHost === undefined) throw new CreationRefusedError(file, `the history it carries does not create replica "${header.origin.name}", which generated it`);
    if (originHost !== header.sendingHost) {
      throw new CreationRefusedError(file, `packet from replica "${header.origin.name}" was signed by host "${header.sendingHost}", but that replica is on host "${originHost}"`);
    }
  }
  const first = fragments[0].header;
  const target = first.targets[0];
  const made = lookup(r.state.replicas, target.oid);
  if (!made) throw new EpochError(`The creation packet's history does not create replica "${target.name}".`);
  if (made.name !== target.name || made.host !== target.host || r.state.familyOid !== first.familyOid) {
    throw new CreationRefusedError(
      fragments[0].file,
      `its header describes replica "${target.name}" on host "${target.host}" of VOB family ${first.familyOid}, but the history it carries creates "${made.name}" on host "${made.host}" of family ${r.state.familyOid}`,
    );
  }
}

/**
 * The oplog entries of the storage at `dir` when it is replica `oid`, made for `tag` and not
 * registered (checked by the caller): what a killed `mkreplica -import` left just before
 * registering it. Undefined for anything else there (or nothing).
 */
async function finishedBuild(dir: string, oid: string, tag: string): Promise<number | undefined> {
  if (!Replica.isReplicaDir(dir)) return undefined;
  let id: ReturnType<typeof Replica.readIdentity>;
  try {
    id = Replica.readIdentity(dir);
  } catch {
    return undefined;
  }
  if (id.oid !== oid || id.tag !== tag) return undefined;
  const r = await Replica.open(dir, { command: 'mkreplica -import', readOnly: true, view: 'replicas' });
  try {
    return Object.values(r.ownRow()).reduce((a, b) => a + b, 0);
  } finally {
    r.close();
  }
}
