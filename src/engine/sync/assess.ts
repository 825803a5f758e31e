import { openHost } from '../host/host';
import { findReplicaByOid } from '../host/registry';
import { readPacketHeader } from '../packet/header';
import type { PacketHeader } from '../packet/types';
import { Replica } from '../store/replica';
import type { EngineContext } from '../vob/access';

/** Why a packet sits where it is, from its header and the local replicas' rows (nothing is applied). */
export type PacketStatus =
  | { state: 'applicable'; replica: string; tag: string }
  | { state: 'applied'; replica: string; tag: string }
  | { state: 'waiting'; replica: string; tag: string; wanted: number; have: number; from: string }
  | { state: 'old-incarnation'; replica: string; tag: string; packet: number; actual: number }
  | { state: 'other-host'; replica: string; host: string }
  | { state: 'creation'; replica: string; host: string }
  | { state: 'unreadable'; reason: string };

export interface PacketAssessment {
  file: string;
  header?: PacketHeader;
  /** One status per target (one for an unreadable packet). */
  statuses: PacketStatus[];
}

/**
 * For the Packets view and scripts: what `syncreplica -import` would do with each packet, judged
 * from headers alone (the body is checked only when importing). "applicable" means its
 * predecessors are all here; whether its bytes and signature are sound shows at import.
 */
export async function assessPackets(ctx: EngineContext, files: readonly string[]): Promise<PacketAssessment[]> {
  const host = openHost(ctx.home);
  const rows = new Map<string, { row: Record<string, number>; incarnation: number; name: string; tag: string } | null>();
  const local = async (oid: string): Promise<{ row: Record<string, number>; incarnation: number; name: string; tag: string } | null> => {
    if (rows.has(oid)) return rows.get(oid) ?? null;
    const entry = findReplicaByOid(host.layout, oid);
    let info: { row: Record<string, number>; incarnation: number; name: string; tag: string } | null = null;
    if (entry) {
      const r = await Replica.open(entry.dir, { command: 'assess packets', readOnly: true });
      try {
        info = { row: { ...r.ownRow() }, incarnation: r.identity.incarnation, name: r.name, tag: entry.tag };
      } finally {
        r.close();
      }
    }
    rows.set(oid, info);
    return info;
  };
  const out: PacketAssessment[] = [];
  for (const file of files) {
    let header: PacketHeader;
    try {
      header = await readPacketHeader(file);
    } catch (e) {
      out.push({ file, statuses: [{ state: 'unreadable', reason: (e as Error).message }] });
      continue;
    }
    const statuses: PacketStatus[] = [];
    for (const t of header.targets) {
      if (header.kind === 'creation') {
        statuses.push({ state: 'creation', replica: t.name, host: t.host });
        continue;
      }
      const info = t.host === host.name ? await local(t.oid) : null;
      if (!info) {
        statuses.push({ state: 'other-host', replica: t.name, host: t.host });
        continue;
      }
      if (t.incarnation !== info.incarnation) {
        statuses.push({ state: 'old-incarnation', replica: info.name, tag: info.tag, packet: t.incarnation, actual: info.incarnation });
        continue;
      }
      let status: PacketStatus = { state: 'applied', replica: info.name, tag: info.tag };
      for (const range of header.ranges) {
        const have = info.row[range.oid] ?? 0;
        if (range.firstOplogId > have + 1) {
          status = { state: 'waiting', replica: info.name, tag: info.tag, wanted: range.firstOplogId - 1, have, from: range.name };
          break;
        }
        if (range.lastOplogId > have) status = { state: 'applicable', replica: info.name, tag: info.tag };
      }
      if (header.ranges.length === 0) status = { state: 'applicable', replica: info.name, tag: info.tag };
      statuses.push(status);
    }
    out.push({ file, header, statuses });
  }
  return out;
}
