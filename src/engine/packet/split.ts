import { BLOB_FRAME_OVERHEAD, DEFLATED_BLOB_FRAME_OVERHEAD, PREFIX_BYTES, RECORD_FRAME_OVERHEAD, SIGNATURE_BYTES } from './format';
import { EncodedRecordText, OneEntryUnit, type BlobSource, type PacketUnit, type UnitRecord } from './types';

/**
 * Unit sizes and fragment planning. Units are never divided; one larger than the limit goes
 * alone (the original exports an oversized version whole, with a warning). The writer applies
 * this rule as units come (writer.ts), from the sizes measured here.
 */

/** A unit with its records already encoded (planning measures them; the writer reuses them). */
export interface EncodedUnit {
  /** Each record's JSON text with its length in UTF-8 bytes. */
  records: EncodedRecord[];
  unit: PacketUnit;
  /** Body bytes this unit takes at most (-compress only ever makes a frame smaller). */
  bytes: number;
  /** Originating replicas of the oplog entries in this unit. */
  origins: readonly string[];
}

export interface EncodedRecord {
  json: string;
  bytes: number;
}

/** One shared list per origin for the usual unit of one entry: tens of thousands of units, few origins. */
const ONE_ORIGIN = new Map<string, readonly string[]>();

function originsOf(unit: PacketUnit): readonly string[] {
  if (unit instanceof OneEntryUnit) return oneOrigin(unit.origin);
  const first = unit.records[0];
  if (unit.records.length === 1 && typeof first.origin === 'string' && typeof first.id === 'number') {
    return oneOrigin(first.origin);
  }
  const origins: string[] = [];
  for (const r of unit.records) if (typeof r.origin === 'string' && typeof r.id === 'number' && !origins.includes(r.origin)) origins.push(r.origin);
  return origins;
}

function oneOrigin(origin: string): readonly string[] {
  let shared = ONE_ORIGIN.get(origin);
  if (!shared) ONE_ORIGIN.set(origin, (shared = Object.freeze([origin])));
  return shared;
}

/** Calls `fn` for each content source of a unit, without the arrays a OneEntryUnit makes on each read. */
export function forEachContent(u: PacketUnit, fn: (b: BlobSource) => void): void {
  if (u instanceof OneEntryUnit) {
    const c = u.content;
    if (c) fn(c);
  } else for (const b of u.blobs) fn(b);
}

/** Body bytes of a content source's frame, as stored (-compress only ever makes a frame smaller). */
export function contentBytes(b: BlobSource): number {
  const d = b.deflated;
  return d ? DEFLATED_BLOB_FRAME_OVERHEAD + d.bytes : BLOB_FRAME_OVERHEAD + b.size;
}

export function encodeRecord(r: UnitRecord): EncodedRecord {
  return measureJson(r instanceof EncodedRecordText ? r.json : JSON.stringify(r));
}

/** A record's JSON text with its length in UTF-8 bytes. */
export function measureJson(json: string): EncodedRecord {
  return { json, bytes: Buffer.byteLength(json, 'utf8') };
}

/** A unit measured for planning: its records encoded (the writer reuses them) and its size. */
export function encodeUnit(unit: PacketUnit): EncodedUnit {
  const origins = originsOf(unit);
  let bytes = 0;
  for (const b of unit.blobs) bytes += contentBytes(b);
  const records = unit.records.map((r) => {
    const e = encodeRecord(r);
    bytes += RECORD_FRAME_OVERHEAD + e.bytes;
    return e;
  });
  return { records, unit, bytes, origins };
}

/**
 * Physical bytes a fragment can take at most, given its planned body size. -compress deflates a
 * frame only when that makes it smaller, so the plan holds with and without it.
 */
export function physicalBound(bodyBytes: number, headerBytes: number): number {
  return PREFIX_BYTES + headerBytes + SIGNATURE_BYTES + bodyBytes;
}
