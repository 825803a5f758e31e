import { openHost } from '../host/host';
import { findVobTag, listVobTags, type VobTagEntry } from '../host/registry';
import { Replica } from '../store/replica';
import type { EngineContext } from '../vob/access';

export interface ReplicaInfo {
  name: string;
  oid: string;
  host: string;
  master: string;
  /** The replica this VOB tag names on this host. */
  self: boolean;
  /** Incarnation: actual for self, last heard for siblings. */
  incarnation: number;
  /** Own row for self (actual), this replica's estimate for siblings. */
  row: Record<string, number>;
  /** Oplog entries this replica originated (its epoch number, as known here). */
  epoch: number;
}

export interface VobReplicas {
  tag: string;
  dir: string;
  familyOid: string;
  replica: string;
  replicaOid: string;
  host: string;
  replicas: ReplicaInfo[];
  /** Set while restorereplica waits for siblings' updates. */
  recovering?: { incarnation: number; waitingFor: string[] };
  lastExports: Array<{ target: string; at: string }>;
}

/** What the Replicas view and lsreplica/lsepoch show: per local VOB, every replica of the family with its epoch row. */
export async function listReplicas(ctx: EngineContext, tag?: string): Promise<VobReplicas[]> {
  const host = openHost(ctx.home);
  const entries: VobTagEntry[] = tag !== undefined ? [findVobTag(host.layout, tag, host.name)] : listVobTags(host.layout);
  const out: VobReplicas[] = [];
  for (const e of entries) {
    const r = await Replica.open(e.dir, { command: 'lsreplica', readOnly: true });
    try {
      out.push(describe(r, e));
    } finally {
      r.close();
    }
  }
  return out;
}

export function describe(r: Replica, e: VobTagEntry): VobReplicas {
  const replicas: ReplicaInfo[] = Object.entries(r.state.replicas).map(([oid, o]) => {
    const self = oid === r.oid;
    return {
      name: o.name,
      oid,
      host: o.host,
      master: r.nameOf(o.master),
      self,
      incarnation: self ? r.identity.incarnation : (r.epochs.incarnations[oid] ?? 0),
      row: self ? { ...r.ownRow() } : { ...(r.epochs.rows[oid] ?? {}) },
      epoch: r.ownRow()[oid] ?? 0,
    };
  });
  replicas.sort((a, b) => (a.self === b.self ? a.name.localeCompare(b.name) : a.self ? -1 : 1));
  const last = new Map<string, string>();
  for (const s of r.epochs.exportSyncs) last.set(s.target, s.at);
  const rec = r.epochs.recovery;
  return {
    tag: e.tag,
    dir: e.dir,
    familyOid: r.identity.familyOid,
    replica: r.name,
    replicaOid: r.oid,
    host: r.identity.host,
    replicas,
    ...(rec && rec.waitingFor.length ? { recovering: { incarnation: rec.incarnation, waitingFor: rec.waitingFor.map((o) => r.nameOf(o)) } } : {}),
    lastExports: [...last].map(([t, at]) => ({ target: r.nameOf(t), at })),
  };
}

export function listVobs(ctx: EngineContext): VobTagEntry[] {
  return listVobTags(openHost(ctx.home).layout);
}
