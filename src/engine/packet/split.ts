import { BLOB_FRAME_OVERHEAD, END_FRAME_BYTES, PREFIX_BYTES, RECORD_FRAME_OVERHEAD, SIGNATURE_BYTES, gzipBound } from './format';
import type { PacketUnit } from './types';

/**
 * Fragment planning: which units go into which physical packet. Done from unit sizes before a
 * byte is written, so each physical packet can be streamed once. Units are never divided; one
 * larger than the limit goes alone (the original exports an oversized version whole, with a
 * warning).
 */

/** A unit with its records already encoded (planning measures them; the writer reuses them). */
export interface EncodedUnit {
  records: Buffer[];
  unit: PacketUnit;
  /** Body bytes this unit takes before compression. */
  bytes: number;
  /** Originating replicas of the oplog entries in this unit. */
  origins: string[];
}

export interface FragmentPlan {
  units: EncodedUnit[];
  /** Body bytes before compression, end frame included. */
  bodyBytes: number;
  /** True when this fragment is one unit that alone exceeds the limit. */
  oversized: boolean;
}

export function encodeUnit(unit: PacketUnit): EncodedUnit {
  let bytes = 0;
  const origins: string[] = [];
  const records = unit.records.map((r) => {
    const json = Buffer.from(JSON.stringify(r), 'utf8');
    bytes += RECORD_FRAME_OVERHEAD + json.length;
    if (typeof r.origin === 'string' && typeof r.id === 'number' && !origins.includes(r.origin)) origins.push(r.origin);
    return json;
  });
  for (const b of unit.blobs) bytes += BLOB_FRAME_OVERHEAD + b.size;
  return { records, unit, bytes, origins };
}

export interface PlanLimits {
  /** Largest physical packet in bytes; undefined = one fragment. */
  maxBytes?: number;
  compress: boolean;
  /** Upper bound of the header's byte length for a fragment carrying ranges for these origins. */
  headerBound(origins: ReadonlySet<string>): number;
}

/** Physical bytes a fragment can take at most, given its uncompressed body size. */
export function physicalBound(bodyBytes: number, headerBytes: number, compress: boolean): number {
  return PREFIX_BYTES + headerBytes + SIGNATURE_BYTES + (compress ? gzipBound(bodyBytes) : bodyBytes);
}

export function planFragments(units: readonly EncodedUnit[], limits: PlanLimits): FragmentPlan[] {
  const plans: FragmentPlan[] = [];
  let cur: EncodedUnit[] = [];
  let curBytes = END_FRAME_BYTES;
  let origins = new Set<string>();
  const fits = (bytes: number, o: ReadonlySet<string>): boolean =>
    limits.maxBytes === undefined || physicalBound(bytes, limits.headerBound(o), limits.compress) <= limits.maxBytes;
  const close = (): void => {
    const oversized = cur.length === 1 && !fits(curBytes, origins);
    plans.push({ units: cur, bodyBytes: curBytes, oversized });
    cur = [];
    curBytes = END_FRAME_BYTES;
    origins = new Set();
  };
  for (const u of units) {
    const nextOrigins = u.origins.every((o) => origins.has(o)) ? origins : new Set([...origins, ...u.origins]);
    if (cur.length > 0 && !fits(curBytes + u.bytes, nextOrigins)) {
      close();
      cur.push(u);
      curBytes += u.bytes;
      for (const o of u.origins) origins.add(o);
      continue;
    }
    cur.push(u);
    curBytes += u.bytes;
    origins = nextOrigins;
  }
  if (cur.length > 0 || plans.length === 0) close();
  return plans;
}
