import * as fs from 'fs';
import * as path from 'path';
import { crc32 } from 'zlib';
import { BlobStore } from './blobStore';
import { readJson, writeJsonAtomic, writePiecesAtomic, fsyncDir } from './durable';
import { emptyEpochs, type LocalEpochs } from './epochMatrix';
import { NotAReplicaError, ReplicaFormatError } from './errors';
import { acquireLock, sweepDeadTemps, tryLock, type HeldLock, type LockOptions } from './lock';
import { Oplog, OplogAppender, type OplogEntry } from './oplog';
import type { Op, OpBody } from './ops';
import { applyOp, emptyState, lookup, stateFromJson, type BranchState, type ElementState, type VobState } from './vobState';

/** How much of the derived state an open builds (see OpenOptions.view). */
export type StateView = 'full' | 'skeleton' | 'replicas';

/**
 * The storage format new replicas are made with. 2: oplog lines of tab-separated entries and
 * binary pack indexes (oplog.ts, packIndex.ts). Format 1 stores are still read, and become
 * format 2 when a command first opens one to write: a build that knows only format 1 would
 * take a tab-separated line for a torn tail and cut it off, and find no packed content behind a
 * binary index, so it must refuse such a store, which it does on the format number.
 */
export const STORE_FORMAT = 2;
const READABLE_FORMATS = [1, 2];
/** The snapshot's own format (state.json), unchanged by the storage format. */
const SNAPSHOT_FORMAT = 1;

/** Who this replica is. Local: never replicated. */
export interface ReplicaIdentity {
  format: number;
  familyOid: string;
  oid: string;
  name: string;
  host: string;
  /** VOB tag this replica is registered under on its host. */
  tag: string;
  /** 0 at creation; changed by restorereplica. */
  incarnation: number;
  createdAt: string;
}

export interface Snapshot {
  format: number;
  oplogBytes: number;
  /**
   * crc32 of the oplog's last bytes before oplogBytes (see oplogTail): a snapshot of another
   * oplog (left by a restore, say) is then told from one of this, whatever the lengths.
   * Snapshots written before it have none and are taken on their length alone.
   */
  tail?: string;
  state: VobState;
}

export interface OpenOptions extends Partial<LockOptions> {
  command: string;
  /** Read without the lock (listing, digest): never writes, ignores a torn tail. */
  readOnly?: boolean;
  /**
   * What of the derived state to build (default 'full'). 'skeleton', for imports: the
   * replicated objects without versions or labels, from its own snapshot (skeleton.json) and the
   * oplog after it; an import decides from mastership, the existence of elements and branches,
   * replica objects and the row, and versions are what grows with a history, so its memory
   * then does not. 'replicas', for exports: only the replica objects and the row (the first line
   * of skeleton.json), all an export decides from: not even an entry per element. Neither can
   * record; a skeleton adds entries through beginAppend and commitAppend.
   */
  view?: StateView;
}

const FILES = {
  identity: 'replica.json',
  oplog: 'oplog',
  snapshot: 'state.json',
  skeleton: 'skeleton.json',
  epochs: 'epochs.json',
  lock: 'replica.lock',
  blobs: 'blobs',
};

/** Write a snapshot of derived state once this many oplog bytes are past the last one. */
const SNAPSHOT_EVERY_BYTES = 256 * 1024;

/**
 * One replica's storage directory, opened under its lock: identity, oplog, derived state
 * (snapshot + the oplog tail replayed on open), local epoch bookkeeping and content blobs.
 */
export class Replica {
  private snapshotBytes = 0;
  /** A reader's: the oplog's tail (oplogTail) where its scan ended, as it was then. */
  private readTail: string | undefined;
  private oplogEnd = 0;
  private closed = false;
  /** See OpenOptions.view. */
  private view: StateView = 'full';

  private constructor(
    readonly dir: string,
    public identity: ReplicaIdentity,
    readonly state: VobState,
    public epochs: LocalEpochs,
    readonly oplog: Oplog,
    readonly blobs: BlobStore,
    private readonly lock: HeldLock | undefined,
  ) {}

  get oid(): string {
    return this.identity.oid;
  }
  get name(): string {
    return this.identity.name;
  }
  get tag(): string {
    return this.identity.tag;
  }
  get readOnly(): boolean {
    return this.lock === undefined;
  }

  /** Makes the files of a new, empty replica in `dir` (which must not exist yet holding a replica). */
  static initialize(dir: string, identity: ReplicaIdentity, epochs: LocalEpochs = emptyEpochs()): void {
    fs.mkdirSync(path.join(dir, FILES.blobs), { recursive: true });
    writeJsonAtomic(path.join(dir, FILES.epochs), epochs);
    writeJsonAtomic(path.join(dir, FILES.identity), identity);
    fsyncDir(dir);
  }

  static isReplicaDir(dir: string): boolean {
    return fs.existsSync(path.join(dir, FILES.identity));
  }

  static readIdentity(dir: string): ReplicaIdentity {
    let id: ReplicaIdentity | undefined;
    try {
      id = readJson<ReplicaIdentity>(path.join(dir, FILES.identity));
    } catch (e) {
      throw new NotAReplicaError(dir, `${FILES.identity} is unreadable (${(e as Error).message})`);
    }
    if (id === undefined) throw new NotAReplicaError(dir, `there is no ${FILES.identity}`);
    // Damaged, not newer: a format number is only news when the rest is an identity.
    const v = id as Partial<ReplicaIdentity> | null;
    if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof v.format !== 'number' || typeof v.oid !== 'string' || typeof v.familyOid !== 'string' || typeof v.name !== 'string') {
      throw new NotAReplicaError(dir, `${FILES.identity} is damaged (not a replica identity)`);
    }
    if (!READABLE_FORMATS.includes(id.format)) throw new ReplicaFormatError(dir, `storage format ${id.format} is not supported (expected ${READABLE_FORMATS.join(' or ')}); it was written by a newer version`);
    return id;
  }

  static async open(dir: string, opts: OpenOptions): Promise<Replica> {
    const identity = Replica.readIdentity(dir);
    const lock = opts.readOnly
      ? undefined
      : await acquireLock(path.join(dir, FILES.lock), `${identity.name}@${identity.tag}`, {
          command: opts.command,
          timeoutMs: opts.timeoutMs,
          onWait: opts.onWait,
        });
    try {
      // Only the lock holder sweeps: no other writer is at work then.
      if (lock) sweepDeadTemps(dir);
      // Marked before anything is written in the new formats (see STORE_FORMAT).
      if (lock && identity.format < STORE_FORMAT) {
        identity.format = STORE_FORMAT;
        writeJsonAtomic(path.join(dir, FILES.identity), identity);
      }
      if (lock?.staleSince !== undefined) sweepBlobTemps(path.join(dir, FILES.blobs), lock.staleSince);
      const oplog = new Oplog(path.join(dir, FILES.oplog), !lock);
      const epochs = readEpochs(dir);
      let state = emptyState();
      let from = 0;
      const view = opts.view ?? 'full';
      const snap = readSnapshot(dir, view);
      {
        // A snapshot is only ever a shortcut: if it is unreadable the oplog is replayed from the start.
        if (snap && snap.format === SNAPSHOT_FORMAT && snap.oplogBytes <= oplog.size() && (snap.tail === undefined || snap.tail === oplogTail(oplog.file, snap.oplogBytes))) {
          state = snap.state;
          from = snap.oplogBytes;
        }
      }
      const scan =
        view === 'replicas'
          ? // Entries stay unparsed unless they change replica objects.
            await oplog.scanEntries(from, (e) => applyReplicaEntry(state, e))
          : await oplog.scan(from, (txn) => {
              for (const op of txn.ops) applyOp(state, op, view === 'full');
            });
      if (scan.tornBytes > 0 && lock) oplog.truncate(scan.end);
      if (scan.tornBytes > 0 && !lock) await checkDamageAsReader(dir, oplog.file, scan.end);
      const r = new Replica(dir, identity, state, epochs, oplog, new BlobStore(path.join(dir, FILES.blobs)), lock);
      r.view = view;
      r.snapshotBytes = from;
      r.oplogEnd = scan.end;
      if (!lock) r.readTail = oplogTail(oplog.file, scan.end);
      return r;
    } catch (e) {
      lock?.release();
      throw e;
    }
  }

  /** The own (actual) epoch row. */
  ownRow(): Record<string, number> {
    return this.state.row;
  }

  nameOf(oid: string): string {
    return lookup(this.state.replicas, oid)?.name ?? (oid === this.oid ? this.name : oid);
  }

  oidOf(name: string): string | undefined {
    if (name.startsWith('oid:')) return name.slice(4);
    for (const [oid, r] of Object.entries(this.state.replicas)) if (r.name === name) return oid;
    return undefined;
  }

  /** Records local changes as one transaction: stamps origin, oplog IDs and dependencies, then applies. */
  record(bodies: readonly OpBody[]): Op[] {
    this.assertWritable();
    this.assertCanRecord();
    const deps: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.state.row)) if (k !== this.oid && v > 0) deps[k] = v;
    let id = this.state.row[this.oid] ?? 0;
    const at = new Date().toISOString();
    const withDeps = Object.keys(deps).length > 0;
    // Fields added with Object.assign, not spread: see parseOpRecord on V8's hidden classes.
    const ops: Op[] = bodies.map((b) => {
      const op = Object.assign({}, b, { origin: this.oid, id: ++id, at }) as Op;
      if (withDeps) op.deps = deps;
      return op;
    });
    this.appendApplied(ops);
    return ops;
  }

  /** Appends entries received from siblings (already checked to be next in line) as one transaction. */
  appendApplied(ops: readonly Op[]): void {
    this.assertWritable();
    this.assertCanRecord();
    if (ops.length === 0) return;
    this.oplogEnd = this.oplog.append(ops);
    for (const op of ops) applyOp(this.state, op, this.view === 'full');
  }

  saveEpochs(): void {
    this.assertWritable();
    writeJsonAtomic(path.join(this.dir, FILES.epochs), this.epochs);
  }

  saveIdentity(): void {
    this.assertWritable();
    writeJsonAtomic(path.join(this.dir, FILES.identity), this.identity);
  }

  /** Every oplog entry, as stored, one array per oplog line, in local order (the order applied here: causal). */
  entryLines(): AsyncGenerator<OplogEntry[]> {
    return this.oplog.entryLines(0);
  }

  /**
   * For an import (a skeleton open): appends entries checked to be next in line, as they are
   * read (see OplogAppender); nothing is in the oplog until commitAppend.
   */
  beginAppend(): OplogAppender {
    this.assertWritable();
    if (this.view !== 'skeleton') throw new Error(`replica ${this.name} appends through appendApplied`);
    return new OplogAppender(this.oplog.file, this.oplogEnd);
  }

  /**
   * Commits an append, then brings the skeleton up to it: `row` is the own row with the
   * appended entries, `changed` the entries among them that change more than the row (see
   * MastershipCheck.changesSkeleton), applied in order. The other entries are never read back.
   */
  commitAppend(a: OplogAppender, row: Record<string, number>, changed: readonly Op[]): void {
    this.assertWritable();
    this.oplogEnd = a.commit();
    for (const op of changed) applyOp(this.state, op, false);
    Object.assign(this.state.row, row);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.oplogEnd - this.snapshotBytes >= SNAPSHOT_EVERY_BYTES) {
        if (this.lock && this.view !== 'replicas') this.snapshotIfPossible();
        else if (!this.lock && this.view === 'full') this.refreshSnapshotAsReader();
      }
    } finally {
      this.blobs.close();
      this.lock?.release();
    }
  }

  /**
   * The command's work is committed by now: a snapshot that cannot be written (a full disk) must
   * not turn it into a failure, which a user would take for nothing done and run again (a
   * checkin twice). It is a cache: the next open replays the tail instead.
   */
  private snapshotIfPossible(): void {
    try {
      this.writeSnapshot();
    } catch {
      // writePiecesAtomic removed its temp file; the old snapshot stands.
    }
  }

  /**
   * Imports and exports never build the full state, so on a replica that only exchanges
   * packets nothing but a reader (lsvtree, digest, the editor's views) ever has it: a reader
   * that replayed a long tail writes state.json (and skeleton.json) for the next one, if it can
   * take the lock at once. Its state is that of a prefix of committed lines, valid whatever a
   * writer appended since. A cache only: any failure is ignored.
   */
  private refreshSnapshotAsReader(): void {
    const held = tryLock(path.join(this.dir, FILES.lock), 'snapshot');
    if (!held) return;
    try {
      // What it read may have been replaced meanwhile (a writer whose commit failed cuts its
      // lines off again, a restore copies a backup over): the tail written must be that of the
      // oplog it read, or a stale state would pass for the current oplog's.
      if (this.readTail === undefined || oplogTail(this.oplog.file, this.oplogEnd) !== this.readTail) return;
      this.writeSnapshot();
    } catch {
      // No space, no write access: the next open replays the tail again.
    } finally {
      held.release();
    }
  }

  /** Writes the snapshot of what is open: the state, and its skeleton with it; or the skeleton. */
  writeSnapshot(): void {
    if (this.view === 'replicas') throw new Error(`replica ${this.name} was opened with its replica objects only and cannot snapshot`);
    const tail = oplogTail(this.oplog.file, this.oplogEnd);
    // Without its tail a snapshot would be taken on its length alone (as one written before tails were).
    if (tail === undefined) throw new Error(`the oplog of replica ${this.name} cannot be read to its end at ${this.oplogEnd}`);
    const snap: Snapshot = { format: SNAPSHOT_FORMAT, oplogBytes: this.oplogEnd, tail, state: this.state };
    if (this.view === 'full') writePiecesAtomic(path.join(this.dir, FILES.snapshot), snapshotPieces(snap));
    writePiecesAtomic(path.join(this.dir, FILES.skeleton), skeletonPieces(snap));
    this.snapshotBytes = this.oplogEnd;
  }

  private assertCanRecord(): void {
    if (this.view === 'replicas') throw new Error(`replica ${this.name} was opened with its replica objects only and cannot record`);
  }

  private assertWritable(): void {
    if (!this.lock || this.closed) throw new Error(`replica ${this.name} is not open for writing`);
  }
}

/**
 * The snapshot's JSON, as JSON.stringify would write it, in pieces of about 256 KB: the elements
 * one by one, so a history of tens of thousands of versions is not one string in memory (with
 * its bytes, twice its size) at the end of the import that made it.
 */
export function* snapshotPieces(snap: Snapshot): Generator<string> {
  const head = snapshotHead(snap);
  // The head ends in `{}}}`: the elements go between that object's braces.
  const open = head.length - 3;
  yield* elementPieces(head.slice(0, open), snap.state.elements, (el) => el, head.slice(open) + '\n');
}

/** A snapshot's JSON without its elements (`"elements":{}`, the state's last key). */
function snapshotHead(snap: Snapshot): string {
  const { elements, ...rest } = snap.state;
  return JSON.stringify({ format: snap.format, oplogBytes: snap.oplogBytes, tail: snap.tail, state: { ...rest, elements: {} } });
}

/** `before`, the elements' `"key":value` pairs (as `encode` gives them), `after`, in pieces of about 256 KB. */
function* elementPieces(before: string, elements: VobState['elements'], encode: (el: ElementState) => ElementState, after: string): Generator<string> {
  let piece = before;
  let first = true;
  for (const key in elements) {
    piece += `${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(encode(elements[key]))}`;
    first = false;
    if (piece.length >= 256 * 1024) {
      yield piece;
      piece = '';
    }
  }
  yield piece + after;
}

/**
 * skeleton.json: two lines. The first is the snapshot without its elements (replica objects,
 * types, row: all an export reads, which then reads no further); the second the elements as
 * the skeleton keeps them, in pieces of about 256 KB. JSON.stringify writes no raw newline.
 */
export function* skeletonPieces(snap: Snapshot): Generator<string> {
  yield* elementPieces(`${snapshotHead(snap)}\n{`, snap.state.elements, skeletonOf, '}\n');
}

/**
 * epochs.json, checked: it is not a cache (the sibling rows, incarnations, export_sync records
 * and a restore's recovery live only there), so a damaged one is refused in one line naming it
 * rather than taken for empty. Missing is empty (a new replica's, or one the user removed).
 */
function readEpochs(dir: string): LocalEpochs {
  const file = path.join(dir, FILES.epochs);
  let value: unknown;
  try {
    value = readJson<unknown>(file);
  } catch (e) {
    throw damagedEpochs(dir, (e as Error).message);
  }
  if (value === undefined) return emptyEpochs();
  const e = value as Partial<LocalEpochs> | null;
  const isMap = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(e)) throw damagedEpochs(dir, 'not an object');
  const out: LocalEpochs = { ...emptyEpochs(), ...e };
  if (!isMap(out.rows) || !Object.values(out.rows).every(isMap)) throw damagedEpochs(dir, 'its rows are not rows of oplog IDs');
  if (!isMap(out.incarnations)) throw damagedEpochs(dir, 'its incarnations are not a map');
  if (!Array.isArray(out.exportSyncs)) throw damagedEpochs(dir, 'its export_sync records are not a list');
  if (typeof out.sequence !== 'number') throw damagedEpochs(dir, 'its packet sequence is not a number');
  if (out.recovery !== undefined && (!isMap(out.recovery) || !Array.isArray(out.recovery.waitingFor))) throw damagedEpochs(dir, 'its recovery record is not one');
  return out;
}

function damagedEpochs(dir: string, reason: string): ReplicaFormatError {
  return new ReplicaFormatError(dir, `${FILES.epochs} is damaged (${reason}); restore it from backup, or remove it and this replica takes its siblings to have nothing (its next exports send everything)`);
}

/**
 * A reader's scan ends at the first line that is not valid: a writer may be committing there
 * (see Oplog). When no writer is (the lock is free at once), the file is still, and a line
 * that is not valid with valid ones after it is damage: the reader reports it as a writer
 * would, rather than show the history before it as the whole (a digest, an epoch row, an
 * element "not found", all wrong and all quiet). A torn tail stays for a writer to cut off.
 */
async function checkDamageAsReader(dir: string, file: string, end: number): Promise<void> {
  const held = tryLock(path.join(dir, FILES.lock), 'oplog check');
  if (!held) return;
  try {
    await new Oplog(file).scanEntries(end, () => undefined);
  } finally {
    held.release();
  }
}

/** The snapshot an open of `view` starts from, if there is a readable one. */
function readSnapshot(dir: string, view: StateView): Snapshot | undefined {
  if (view === 'full') {
    const text = readText(path.join(dir, FILES.snapshot));
    return text ? parseSnapshot(text) : undefined;
  }
  const file = path.join(dir, FILES.skeleton);
  const text = view === 'skeleton' ? readText(file) : readFirstLine(file);
  if (!text) return undefined;
  const nl = text.indexOf('\n');
  if (nl < 0 && view === 'skeleton') return undefined;
  try {
    const snap = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as Snapshot;
    if (view === 'skeleton') snap.state.elements = JSON.parse(text.slice(nl + 1)) as VobState['elements'];
    snap.state = stateFromJson(snap.state);
    return snap;
  } catch {
    return undefined;
  }
}

/** Bytes of the oplog a snapshot's tail covers: the end of its last line, ids and times in it. */
const TAIL_BYTES = 256;

/** crc32 (hex) of the TAIL_BYTES of `file` before `end`; undefined when they cannot be read. */
function oplogTail(file: string, end: number): string | undefined {
  if (end === 0) return crc32(Buffer.alloc(0)).toString(16);
  return readingFile(file, (fd) => {
    const start = Math.max(0, end - TAIL_BYTES);
    const buf = Buffer.alloc(end - start);
    const n = fs.readSync(fd, buf, 0, buf.length, start);
    return n === buf.length ? crc32(buf).toString(16) : undefined;
  });
}

/** `read` of the file open for reading, closed after; undefined when it cannot be opened. */
function readingFile<T>(file: string, read: (fd: number) => T | undefined): T | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    return read(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A file's first line (without its newline), read a piece at a time; undefined if unreadable or none. */
function readFirstLine(file: string): string | undefined {
  return readingFile(file, (fd) => {
    const pieces: Buffer[] = [];
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return undefined;
      const nl = buf.subarray(0, n).indexOf(0x0a);
      pieces.push(Buffer.from(buf.subarray(0, nl < 0 ? n : nl)));
      if (nl >= 0) return Buffer.concat(pieces).toString('utf8');
      pos += n;
    }
  });
}

/**
 * For a 'replicas' open: an entry that may change replica objects is parsed and applied; any
 * other only moves the row, unparsed.
 */
function applyReplicaEntry(state: VobState, e: OplogEntry): void {
  const op = e.kind === 'vob.create' || e.kind === 'replica.create' || e.kind === 'master.change' ? (JSON.parse(e.json) as Op) : undefined;
  if (op && (op.kind !== 'master.change' || op.object === 'replica')) applyOp(state, op, false);
  else if (e.id > (state.row[e.origin] ?? 0)) state.row[e.origin] = e.id;
}

/** An element as the skeleton keeps it: its branches' mastership and origin, no versions or labels. */
function skeletonOf(el: ElementState): ElementState {
  const branches: Record<string, BranchState> = {};
  for (const b in el.branches) {
    const br = el.branches[b];
    branches[b] = br.master !== undefined ? { master: br.master, versions: [] } : { versions: [] };
  }
  return { branches, labels: {} };
}

function parseSnapshot(text: string): Snapshot | undefined {
  try {
    const snap = JSON.parse(text) as Snapshot;
    snap.state = stateFromJson(snap.state);
    return snap;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Runs fn with the replica open under its lock and always closes it. */
export async function withReplica<T>(dir: string, opts: OpenOptions, fn: (r: Replica) => Promise<T> | T): Promise<T> {
  const r = await Replica.open(dir, opts);
  try {
    return await fn(r);
  } finally {
    r.close();
  }
}

/**
 * After a holder of the lock died (kill -9, power loss), its half-written packs and blobs are
 * garbage: nothing refers to them until they are renamed into place. Reclaim the space once,
 * when the next command breaks the stale lock, instead of scanning on every command.
 */
function sweepBlobTemps(blobs: string, since: number): void {
  let subdirs: string[];
  try {
    subdirs = fs.readdirSync(blobs);
  } catch {
    return;
  }
  sweepDeadTemps(blobs);
  for (const d of subdirs) sweepDeadTemps(path.join(blobs, d));
  // A pack is renamed into place before its index is written (BlobBatch.publish): killed in
  // between, it is ignored for want of an index, and its name carries no pid for the sweep above.
  // No other writer is at work (we hold the lock), so a pack without an index written since the
  // dead holder took the lock is such a one; an older one lost its index otherwise, and stays.
  const packs = path.join(blobs, 'packs');
  let names: string[];
  try {
    names = fs.readdirSync(packs);
  } catch {
    return;
  }
  const indexed = new Set(names.filter((n) => n.endsWith('.idx')).map((n) => n.slice(0, -4)));
  for (const n of names) {
    if (!/^pack-[0-9a-f-]+\.pack$/.test(n) || indexed.has(n.slice(0, -5))) continue;
    const file = path.join(packs, n);
    // A second of slack: file times may be coarser than the clock that stamped the lock.
    if (fs.statSync(file).mtimeMs >= since - 1000) fs.rmSync(file, { force: true });
  }
}
