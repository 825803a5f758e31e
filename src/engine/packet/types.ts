/**
 * The packet module's contract with the rest of the engine. `sync/` builds units of records
 * and content blobs; `packet/` turns them into signed, self-describing physical packets and
 * reads them back. The packet module knows nothing of what a record means, beyond the
 * `origin`/`id` pair that makes a record an oplog entry (used for the header's per-replica
 * first oplog IDs, which lspacket -long prints and import uses to check predecessors).
 */
import type { KeyObject } from 'crypto';
import type { Readable } from 'stream';

export const PACKET_MAJOR_VERSION = 1;
/** 3: content may travel deflated ('D' frames) and records in deflated groups ('Z'); 2 gzipped whole bodies. */
export const PACKET_MINOR_VERSION = 3;

export type PacketKind = 'update' | 'creation';

/** A JSON record in a packet body. Oplog entries carry origin (replica oid) and id (oplog ID). */
export interface PacketRecord {
  kind: string;
  origin?: string;
  id?: number;
  [field: string]: unknown;
}

/**
 * A record given as its JSON text, already encoded: an oplog entry as its replica stores it,
 * which an export copies into the packet instead of parsing and encoding it again. The text
 * must be a JSON object with these `origin` and `id`; the receiver checks every record.
 */
export class EncodedRecordText {
  constructor(
    readonly origin: string,
    readonly id: number,
    readonly json: string,
  ) {}
}

export type UnitRecord = PacketRecord | EncodedRecordText;

/** Content carried by a packet: content-addressed (sha256 hex), streamed, never held whole. */
export interface BlobSource {
  hash: string;
  size: number;
  /**
   * The content is kept raw-deflated (its store compressed it once, when it came in): open()
   * and readSync() then give these `bytes` deflated bytes, which travel as they are. Such a
   * source must be trusted: the writer does not inflate to check it.
   */
  deflated?: { bytes: number };
  open(): Readable;
  /**
   * Positional read of the content (bytes at `position` of the blob into buf), when the source
   * can read without a stream: much cheaper than a stream per blob for thousands of small
   * versions. Returns the bytes read (0 at the end). Called as a method of the source.
   */
  readSync?(buf: Buffer, offset: number, length: number, position: number): number;
  /**
   * The content was checked against its hash when it was stored (the sender's own
   * content-addressed store): the writer then checks only its size, not its hash again. The
   * receiver verifies every blob's hash whatever the sender did. Anything else is hashed.
   */
  trusted?: boolean;
  /**
   * Its store keeps it as it is because deflating it did not pay when it came in: -compress
   * then sends it as it is instead of deflating it again for a few percent at best.
   */
  keptRaw?: boolean;
}

/**
 * The smallest piece a packet is split at: never divided between physical packets.
 * Sync makes one unit per oplog entry with the blobs that entry introduces (blobs first).
 */
export interface PacketUnit {
  records: UnitRecord[];
  blobs: BlobSource[];
}

/**
 * Units for writePacket: an array, or units made as the writer asks for them (an export makes
 * them from its oplog as it reads it, so none has to live until the packet is written). An
 * item of an asynchronous source may be a batch of units, which saves a step of the
 * iteration per unit.
 */
export type PacketUnitSource = readonly PacketUnit[] | AsyncIterable<PacketUnit | readonly PacketUnit[]>;

/**
 * A unit that is one record, itself, and at most one content source: an exported oplog entry
 * (sync/units.ts), of which an export makes tens of thousands. The writer reads its `content`
 * rather than the `records` and `blobs` arrays, which it can only make anew on each read.
 */
export abstract class OneEntryUnit extends EncodedRecordText implements PacketUnit {
  abstract get content(): BlobSource | undefined;

  get records(): UnitRecord[] {
    return [this];
  }

  get blobs(): BlobSource[] {
    const c = this.content;
    return c ? [c] : [];
  }
}

export interface PacketReplicaRef {
  name: string;
  oid: string;
}

export interface PacketTarget extends PacketReplicaRef {
  host: string;
  vobTag: string;
  /** The target's incarnation as the sender knows it; import refuses a packet for an older one. */
  incarnation: number;
}

/** Per originating replica: the oplog IDs this physical packet carries. */
export interface PacketOplogRange extends PacketReplicaRef {
  firstOplogId: number;
  lastOplogId: number;
  incarnation: number;
}

export interface PacketHeader {
  major: number;
  minor: number;
  kind: PacketKind;
  /** Logical packet identifier (uuid), shared by every fragment of one export. */
  packetId: string;
  fragment: { index: number; count: number };
  /** Sending replica's export counter ("The packet sequence number is N"). */
  sequence: number;
  familyOid: string;
  vobTag: string;
  comment: string;
  /** The replica that generated the packet. */
  origin: PacketReplicaRef;
  /** Host whose key signed the packet. */
  sendingHost: string;
  createdAt: string;
  targets: PacketTarget[];
  /** Oplog ranges in this fragment, one per originating replica present. */
  ranges: PacketOplogRange[];
  /** Sender's own epoch row at export (replica oid -> ops applied); lets the receiver revise its estimate. */
  senderRow: Record<string, number>;
  /**
   * compression: "none" (content may still travel deflated as it was stored), "frames" (-compress:
   * all content and the records deflated frame by frame; minor 3), "gzip" (the whole frame
   * stream gzipped: minor 2 writers, still read).
   */
  body: { length: number; sha256: string; compression: BodyCompression; records: number; blobs: number };
}

export type BodyCompression = 'none' | 'frames' | 'gzip';

/** What writePacket needs beyond the units. */
export interface PacketWriteOptions {
  kind: PacketKind;
  /** Directory the physical packets are written to. */
  dir: string;
  /** File name for a single physical packet; fragments get `<name>_<i>`. Default: generated sync_/repl_ name. */
  fileName?: string;
  /** Largest physical packet in bytes (header included). A unit larger than this goes alone, with onWarning. */
  maxBytes?: number;
  compress: boolean;
  header: Omit<PacketHeader, 'major' | 'minor' | 'kind' | 'packetId' | 'fragment' | 'ranges' | 'body' | 'createdAt'>;
  signer: { host: string; privateKey: KeyObject };
  /**
   * Names and incarnations of originating replicas, for the header's per-replica ranges
   * (lspacket -long). The origin and the targets are known from `header`; others fall back to
   * their oid and incarnation 0. Without `origins`, every physical packet reserves header room
   * for a range of each replica named here or in `header` (its body is written before its
   * origins are known).
   */
  replicas?: ReadonlyArray<{ oid: string; name: string; incarnation: number }>;
  /**
   * Originating replicas whose entries the units may carry, when the caller knows them (an
   * export does, from its rows): each physical packet then reserves header room for these
   * ranges only. A unit of another origin still goes; its packet's header takes more room.
   */
  origins?: readonly string[];
  onWarning?(text: string): void;
}

export interface WrittenPacket {
  path: string;
  header: PacketHeader;
  bytes: number;
}

/** A record or a blob read back from a verified packet body, in written order. */
export type PacketEntry =
  | { type: 'record'; record: PacketRecord }
  | PacketBlobEntry;

/**
 * Content read back, its hash and size already checked. It comes as it travelled: `deflated`
 * gives the length of raw deflate bytes (which a store can keep as they are), otherwise the
 * bytes are the content. Small content comes whole in `data`; larger content as a `stream`
 * that must be read to its end (or abandoned) before the next entry is asked for, and is
 * checked when that next entry is asked for. Deflated content may still be being checked when
 * it is handed over: a failure is thrown before the body's end, so a caller that applies
 * nothing until the iteration completes never applies unchecked content.
 */
export interface PacketBlobEntry {
  type: 'blob';
  hash: string;
  size: number;
  deflated?: { bytes: number };
  data?: Buffer;
  stream?: Readable;
}

/** Looks up the public key of a host (own host or a configured peer); undefined = unknown host. */
export type HostKeyLookup = (host: string) => KeyObject | undefined;
