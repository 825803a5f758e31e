/**
 * The epoch number matrix's local side. The own row is not stored here: it is derived from
 * the oplog (VobState.row). This file keeps what only this replica believes: estimates of its
 * siblings' rows, the siblings' incarnations as last heard, the export_sync records that
 * recoverpacket rolls back to, and the packet sequence counter. Replaced atomically.
 */
export type EpochRow = Record<string, number>;

export interface ExportSync {
  /** Target replica oid. */
  target: string;
  at: string;
  /** The target's row before this export (what the packet started from). */
  before: EpochRow;
  /** The row it was raised to (export assumes success). */
  after: EpochRow;
}

export interface RecoveryState {
  incarnation: number;
  /** Siblings that have not yet sent a packet addressed to the new incarnation. */
  waitingFor: string[];
}

export interface LocalEpochs {
  rows: Record<string, EpochRow>;
  incarnations: Record<string, number>;
  exportSyncs: ExportSync[];
  sequence: number;
  recovery?: RecoveryState;
  /**
   * Replica objects a mkreplica -export recorded and has not yet written the whole creation
   * packet of: a re-run after a kill writes it instead of refusing the name.
   */
  creating?: string[];
}

/** export_sync records kept per target: enough for recoverpacket -since over a long stretch. */
export const EXPORT_SYNCS_PER_TARGET = 200;

export function emptyEpochs(): LocalEpochs {
  return { rows: {}, incarnations: {}, exportSyncs: [], sequence: 0 };
}

export function rowOf(e: LocalEpochs, oid: string): EpochRow {
  return (e.rows[oid] ??= {});
}

export function addExportSync(e: LocalEpochs, rec: ExportSync): void {
  e.exportSyncs.push(rec);
  const mine = e.exportSyncs.filter((s) => s.target === rec.target);
  if (mine.length > EXPORT_SYNCS_PER_TARGET) {
    const drop = new Set(mine.slice(0, mine.length - EXPORT_SYNCS_PER_TARGET));
    e.exportSyncs = e.exportSyncs.filter((s) => !drop.has(s));
  }
}

/** Raise every column of `row` to at least `to`'s value. */
export function raiseRow(row: EpochRow, to: EpochRow): void {
  for (const [k, v] of Object.entries(to)) if ((row[k] ?? 0) < v) row[k] = v;
}
