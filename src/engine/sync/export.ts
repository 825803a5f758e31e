import * as fs from 'fs';
import * as path from 'path';
import { openHost, type Host } from '../host/host';
import { loadPrivateKey } from '../host/keys';
import { findVobTag } from '../host/registry';
import { prewarmBodyHash, releasePrewarmedBodyHash } from '../packet/bodyDigest';
import { PacketWriteError } from '../packet/errors';
import { writePacket } from '../packet/writer';
import type { PacketRecord, PacketTarget, PacketKind, WrittenPacket, PacketUnitSource } from '../packet/types';
import { addExportSync, raiseRow, rowOf } from '../store/epochMatrix';
import { Replica } from '../store/replica';
import { lookup } from '../store/vobState';
import type { EngineContext } from '../vob/access';
import { ReplicaNotFoundError, SelectorError, SelfUpdateError } from './errors';
import { formatRow, logHistory } from './history';
import { parseReplicaSelector } from './selector';
import { collectUnits, incarnationNotice } from './units';

export interface ExportRequest {
  /** Targets as NAME@TAG selectors; TAG names the local VOB the changes come from. */
  targets: string[];
  /** -out: a packet file name (fragments get _1, _2...) or an existing directory. */
  out: string;
  maxBytes?: number;
  comment?: string;
  compress?: boolean;
  onWarning?(text: string): void;
  /** Called for each physical packet as soon as it is written (for the "Generating..." lines). */
  onPacket?(p: WrittenPacket): void;
}

export interface ExportedVob {
  tag: string;
  replica: string;
  targets: string[];
  packets: WrittenPacket[];
  ops: number;
  blobs: number;
}

export interface ExportResult {
  vobs: ExportedVob[];
}

export interface OutputPlace {
  dir: string;
  fileName?: string;
}

export function outputPlace(out: string, groups: number): OutputPlace {
  let isDir = false;
  try {
    isDir = fs.statSync(out).isDirectory();
  } catch {
    isDir = false;
  }
  if (isDir) return { dir: out };
  if (out.endsWith('/') || out.endsWith(path.sep)) throw new SelectorError(`Directory ${out} does not exist.`);
  if (groups > 1) throw new SelectorError(`The targets belong to ${groups} VOBs, so -out must name an existing directory, not ${out}.`);
  const dir = path.dirname(out);
  if (!fs.existsSync(dir)) throw new SelectorError(`Cannot write packet ${out}: directory ${dir} does not exist.`);
  if (!fs.statSync(dir).isDirectory()) throw new SelectorError(`Cannot write packet ${out}: ${dir} is not a directory.`);
  // Said before any work: the writer never replaces a file, so it would refuse only at the end,
  // after the whole packet was written (and, for mkreplica -export, the replica object made).
  if (fs.lstatSync(out, { throwIfNoEntry: false })) throw new PacketWriteError(out, 'a file of that name already exists; remove it or choose another name');
  return { dir, fileName: path.basename(out) };
}

export function packetTarget(r: Replica, oid: string): PacketTarget {
  const obj = lookup(r.state.replicas, oid);
  return {
    name: obj?.name ?? oid,
    oid,
    host: obj?.host ?? '',
    vobTag: oid === r.oid ? r.tag : '',
    incarnation: oid === r.oid ? r.identity.incarnation : (r.epochs.incarnations[oid] ?? 0),
  };
}

export function replicaRefs(r: Replica): Array<{ oid: string; name: string; incarnation: number }> {
  return Object.entries(r.state.replicas).map(([oid, o]) => ({
    oid,
    name: o.name,
    incarnation: oid === r.oid ? r.identity.incarnation : (r.epochs.incarnations[oid] ?? 0),
  }));
}

export interface WriteFromReplicaOptions {
  kind: PacketKind;
  place: OutputPlace;
  targets: PacketTarget[];
  units: PacketUnitSource;
  /** Originating replicas whose entries the units may carry (see PacketWriteOptions.origins). */
  origins?: readonly string[];
  maxBytes?: number;
  comment?: string;
  compress?: boolean;
  onWarning?(text: string): void;
}

/** Signs and writes the packets of one export; the sequence number counts this replica's exports. */
export async function writeFromReplica(host: Host, r: Replica, o: WriteFromReplicaOptions): Promise<WrittenPacket[]> {
  r.epochs.sequence += 1;
  return writePacket(
    {
      kind: o.kind,
      dir: o.place.dir,
      fileName: o.place.fileName,
      maxBytes: o.maxBytes,
      compress: o.compress ?? false,
      header: {
        sequence: r.epochs.sequence,
        familyOid: r.identity.familyOid,
        vobTag: r.tag,
        comment: o.comment ?? '',
        origin: { name: r.name, oid: r.oid },
        sendingHost: host.name,
        targets: o.targets,
        senderRow: { ...r.ownRow() },
      },
      replicas: replicaRefs(r),
      origins: o.origins,
      signer: { host: host.name, privateKey: loadPrivateKey(host.layout) },
      onWarning: o.onWarning,
    },
    o.units,
  );
}

/** An oplog this long (about 4,000 entries) usually means a body large enough to hash on a thread. */
const PREWARM_FROM_OPLOG_BYTES = 1024 * 1024;

/**
 * Starts the body-hashing thread while the replica's oplog is read, when the history is long
 * enough that the packet may be large (bodyDigest.ts); an unused thread is stopped afterwards.
 */
export function prewarmForHistory(replicaDir: string): void {
  let size = 0;
  try {
    size = fs.statSync(path.join(replicaDir, 'oplog')).size;
  } catch {
    return;
  }
  if (size >= PREWARM_FROM_OPLOG_BYTES) prewarmBodyHash();
}

/** The oid of target `name` in the family of replica `r` (VOB `tag`), or ReplicaNotFoundError. */
function targetOid(r: Replica, name: string, tag: string): string {
  const oid = r.oidOf(name);
  if (!oid || !lookup(r.state.replicas, oid)) throw new ReplicaNotFoundError(name, tag);
  return oid;
}

/**
 * With several VOBs, a wrong target in a later one would fail the command after the earlier
 * ones' packets were written and their rows raised: every target is checked first.
 */
async function checkTargets(ctx: EngineContext, host: Host, byTag: Map<string, string[]>): Promise<void> {
  let others = 0;
  let self: string | undefined;
  for (const [tag, names] of byTag) {
    const entry = findVobTag(host.layout, tag, host.name);
    const r = await Replica.open(entry.dir, { command: 'syncreplica -export', onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs, view: 'replicas' });
    try {
      for (const name of new Set(names)) {
        const oid = targetOid(r, name, tag);
        if (oid === r.oid) self ??= name;
        else others++;
      }
    } finally {
      r.close();
    }
  }
  if (others === 0 && self !== undefined) throw new SelfUpdateError(self);
}

/**
 * syncreplica -export: for each local VOB named by the targets, one logical packet carrying,
 * per originating replica c, the entries after min over targets of row[T][c] (so hubs forward
 * other sites' changes). Export assumes success: each target's row is raised to the own row
 * and the previous row kept as an export_sync record for recoverpacket.
 */
export async function exportSync(ctx: EngineContext, req: ExportRequest): Promise<ExportResult> {
  const host = openHost(ctx.home);
  if (req.targets.length === 0) throw new SelectorError('No target replica given: name at least one REPLICA@VOB-TAG.');
  const byTag = new Map<string, string[]>();
  for (const t of req.targets) {
    const s = parseReplicaSelector(t);
    byTag.set(s.tag, [...(byTag.get(s.tag) ?? []), s.name]);
  }
  const place = outputPlace(req.out, byTag.size);
  if (byTag.size > 1) await checkTargets(ctx, host, byTag);
  const result: ExportResult = { vobs: [] };
  for (const [tag, names] of byTag) {
    const entry = findVobTag(host.layout, tag, host.name);
    prewarmForHistory(entry.dir);
    // The replica objects and the row (skeleton.json's first line and the oplog after it) are
    // all an export decides from; the entries to send are then read from the oplog a line at a
    // time as the packet is written (collectUnits), so nothing is held per entry.
    const r = await Replica.open(entry.dir, { command: 'syncreplica -export', onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs, view: 'replicas' }).catch((e: unknown) => {
      releasePrewarmedBodyHash();
      throw e;
    });
    try {
      const targets: string[] = [];
      for (const name of [...new Set(names)]) {
        const oid = targetOid(r, name, tag);
        if (oid === r.oid) {
          if (byTag.size === 1 && new Set(names).size === 1) throw new SelfUpdateError(name);
          req.onWarning?.(`A replica cannot update itself: "${name}"; skipped.`);
          continue;
        }
        targets.push(oid);
      }
      if (targets.length === 0) continue;
      const own = r.ownRow();
      const from: Record<string, number> = {};
      for (const c of Object.keys(own)) from[c] = Math.min(...targets.map((t) => rowOf(r.epochs, t)[c] ?? 0));
      const leading: PacketRecord[] = r.identity.incarnation > 0 ? [incarnationNotice(r) as unknown as PacketRecord] : [];
      const collected = await collectUnits(r, from, leading);
      const packets = await writeFromReplica(host, r, {
        kind: 'update',
        place,
        targets: targets.map((t) => packetTarget(r, t)),
        units: collected.units,
        // Only origins with entries past `from` can appear: each packet's header reserves room for those alone.
        origins: Object.keys(own).filter((c) => own[c] > (from[c] ?? 0)),
        maxBytes: req.maxBytes,
        comment: req.comment,
        compress: req.compress,
        onWarning: req.onWarning,
      });
      const at = new Date().toISOString();
      for (const t of targets) {
        const row = rowOf(r.epochs, t);
        const before = { ...row };
        raiseRow(row, own);
        addExportSync(r.epochs, { target: t, at, before, after: { ...row } });
      }
      r.saveEpochs();
      for (const p of packets) req.onPacket?.(p);
      for (const t of targets) logHistory(ctx.home, `export sync from replica "${r.name}" to replica "${r.nameOf(t)}" (${collected.ops} entries) Row at export was: ${formatRow(own, (o) => r.nameOf(o))}`);
      result.vobs.push({ tag, replica: r.name, targets: targets.map((t) => r.nameOf(t)), packets, ops: collected.ops, blobs: collected.blobs });
    } finally {
      r.close();
      releasePrewarmedBodyHash();
    }
  }
  return result;
}
