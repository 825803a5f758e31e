/**
 * The engine's replication API for in-process callers (the VS Code extension, tests, benches):
 * the same functions the command line calls, returning structured results. No `vscode` here.
 *
 *   const ctx: EngineContext = { home };                       // a host home (MULTISITE_HOME)
 *   await listReplicas(ctx)                                    // every local VOB, its replicas and epoch rows
 *   await exportSync(ctx, { targets: ['sanfran_hub@/vobs/dev'], out: dir })
 *   await importSync(ctx, { sources: [dir] })                  // or { sources: [], receive: true }
 *   await digest(ctx, { tag })                                 // equal on converged replicas
 */
export type { EngineContext } from '../vob/access';
export { mkhost, addPeer, openHost, type Host, type MkhostOptions, type AddPeerOptions, type AddPeerResult } from '../host/host';
export { hostLayout, type HostLayout } from '../host/layout';
export { readSite, type SiteConfig, type PeerInfo } from '../host/site';
export { listVobTags, findVobTag, type VobTagEntry } from '../host/registry';
export { mkvob, mkelem, checkin, mktype, mklabel, chmaster, lsvtree, catVersion, digest, type MkvobResult, type ElementChange, type LabelResult, type ChmasterResult } from '../vob/content';
export { fsimport, type FsimportResult } from '../vob/fsimport';
export { exportSync, type ExportRequest, type ExportResult, type ExportedVob } from './export';
export { importSync, receiveDirs, type ImportRequest, type ImportResult, type ImportEvent } from './import';
export { mkreplicaExport, mkreplicaImport, type MkreplicaExportRequest, type MkreplicaExportResult, type MkreplicaImportRequest, type MkreplicaImportResult } from './mkreplica';
export { listReplicas, listVobs, type VobReplicas, type ReplicaInfo } from './listing';
export { chepoch, chepochActual, recoverpacket, restorereplica, type RowChange, type EpochChange, type ActualResult, type RecoverResult, type RestoreResult } from './epochs';
export { assessPackets, type PacketAssessment, type PacketStatus } from './assess';
export * from './errors';
