import { crc32 } from 'zlib';

/**
 * The index of one pack file: where each content hash's bytes lie in the pack.
 *
 * Kept in binary, sorted by hash, with a fan-out table on the first byte, as git's pack index
 * is: a command looks up only the hashes it needs by binary search in the file's bytes, instead
 * of parsing every entry of every pack into a map first. A text index (`<sha256> <offset>
 * <size>[ d <bytes>]` per line, what stores made before 2026-11-22 have) is still read, line
 * by line into a map.
 *
 * Layout (big-endian), written whole and renamed into place, so it is never torn; a trailing
 * crc32 still catches damage:
 *
 *   magic "MSPACKIX" | u32 version (1) | u32 count N
 *   fan-out: 256 x u32, entry count with first hash byte <= i
 *   N x 32-byte sha256, ascending
 *   N x (u48 offset, u48 size, u48 deflated bytes; 0 = kept as it is)
 *   u32 crc32 of everything before it
 *
 * Written by hand: no library reads or writes such a table, and the format is 40 lines.
 */
export interface PackIndexEntry {
  hash: string;
  offset: number;
  /** Content bytes (what the hash names). */
  size: number;
  /** Bytes on disk when the content is kept raw-deflated. */
  deflated?: number;
}

export interface Located {
  offset: number;
  size: number;
  deflated?: number;
}

/** Finds content in one pack, by its hash and the same hash as words (see hashWords). */
export interface PackLookup {
  find(hash: string, words: Uint32Array): Located | undefined;
}

const MAGIC = Buffer.from('MSPACKIX', 'latin1');
const VERSION = 1;
const HEAD = MAGIC.length + 8;
const FANOUT = 256 * 4;
const HASH = 32;
const FIELDS = 18;
const U48 = 2 ** 48;

/** Encodes a pack's index (entries in any order; each hash once). */
export function encodePackIndex(entries: readonly PackIndexEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const n = sorted.length;
  const buf = Buffer.alloc(HEAD + FANOUT + n * (HASH + FIELDS) + 4);
  MAGIC.copy(buf, 0);
  buf.writeUInt32BE(VERSION, MAGIC.length);
  buf.writeUInt32BE(n, MAGIC.length + 4);
  const counts = new Array<number>(256).fill(0);
  const fields = HEAD + FANOUT + n * HASH;
  sorted.forEach((e, i) => {
    if (!/^[0-9a-f]{64}$/.test(e.hash)) throw new Error(`not a content hash: ${e.hash}`);
    for (const v of [e.offset, e.size, e.deflated ?? 0]) if (!Number.isSafeInteger(v) || v < 0 || v >= U48) throw new RangeError(`pack index value ${v} out of range`);
    // 0 deflated bytes on disk means "kept as it is": deflated content always has some.
    if (e.deflated === 0) throw new RangeError(`content ${e.hash} cannot be kept in 0 deflated bytes`);
    buf.write(e.hash, HEAD + FANOUT + i * HASH, 'hex');
    counts[parseInt(e.hash.slice(0, 2), 16)]++;
    const at = fields + i * FIELDS;
    buf.writeUIntBE(e.offset, at, 6);
    buf.writeUIntBE(e.size, at + 6, 6);
    buf.writeUIntBE(e.deflated ?? 0, at + 12, 6);
  });
  let sum = 0;
  for (let i = 0; i < 256; i++) buf.writeUInt32BE((sum += counts[i]), HEAD + i * 4);
  buf.writeUInt32BE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4);
  return buf;
}

/** A pack index from its file's bytes; undefined when they are neither format or damaged. */
export function parsePackIndex(bytes: Buffer): PackLookup | undefined {
  if (bytes.length >= MAGIC.length && bytes.subarray(0, MAGIC.length).equals(MAGIC)) return BinaryPackIndex.parse(bytes);
  return TextPackIndex.parse(bytes.toString('latin1'));
}

/** Every entry of an index file, in its order (for checks and tests; lookups use find()). */
export function listPackIndex(bytes: Buffer): PackIndexEntry[] {
  const index = parsePackIndex(bytes);
  if (index instanceof BinaryPackIndex) return index.entries();
  if (index instanceof TextPackIndex) return index.entries();
  return [];
}

/** Hex digit values by char code; -1 for anything else (upper case included: hashes are lower case). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * Fills `words` (8 of them) with a hash's 32 bytes as big-endian 32-bit words, once per lookup
 * whatever the number of packs; false when it is not 64 lower-case hex characters.
 */
export function hashWords(hash: string, words: Uint32Array): boolean {
  if (hash.length !== 64) return false;
  for (let w = 0; w < 8; w++) {
    let v = 0;
    for (let k = w * 8; k < w * 8 + 8; k++) {
      const c = hash.charCodeAt(k);
      const d = c < 128 ? HEX[c] : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    words[w] = v;
  }
  return true;
}

class BinaryPackIndex implements PackLookup {
  private constructor(
    private readonly view: DataView,
    private readonly bytes: Buffer,
    private readonly count: number,
  ) {}

  static parse(bytes: Buffer): BinaryPackIndex | undefined {
    if (bytes.length < HEAD + FANOUT + 4) return undefined;
    const n = bytes.readUInt32BE(MAGIC.length + 4);
    if (bytes.readUInt32BE(MAGIC.length) !== VERSION) return undefined;
    if (bytes.length !== HEAD + FANOUT + n * (HASH + FIELDS) + 4) return undefined;
    if (crc32(bytes.subarray(0, bytes.length - 4)) !== bytes.readUInt32BE(bytes.length - 4)) return undefined;
    let prev = 0;
    for (let i = 0; i < 256; i++) {
      const c = bytes.readUInt32BE(HEAD + i * 4);
      if (c < prev) return undefined;
      prev = c;
    }
    if (prev !== n) return undefined;
    return new BinaryPackIndex(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), bytes, n);
  }

  find(_hash: string, words: Uint32Array): Located | undefined {
    const b = words[0] >>> 24;
    let lo = b === 0 ? 0 : this.view.getUint32(HEAD + (b - 1) * 4);
    let hi = this.view.getUint32(HEAD + b * 4);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(mid, words);
      // Content declared deflated but empty is damage: not an entry (as in the text index).
      if (c === 0) return this.at(mid) ?? undefined;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  /** Entry i's hash against the wanted one: negative when the entry sorts first. */
  private compare(i: number, words: Uint32Array): number {
    const base = HEAD + FANOUT + i * HASH;
    for (let w = 0; w < 8; w++) {
      const want = words[w];
      const have = this.view.getUint32(base + w * 4);
      if (have !== want) return have < want ? -1 : 1;
    }
    return 0;
  }

  private at(i: number): Located | undefined {
    const at = HEAD + FANOUT + this.count * HASH + i * FIELDS;
    const offset = this.u48(at);
    const size = this.u48(at + 6);
    const deflated = this.u48(at + 12);
    if (deflated === 0) return { offset, size };
    return size > 0 ? { offset, size, deflated } : undefined;
  }

  private u48(p: number): number {
    return this.view.getUint16(p) * 2 ** 32 + this.view.getUint32(p + 2);
  }

  entries(): PackIndexEntry[] {
    const out: PackIndexEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      const base = HEAD + FANOUT + i * HASH;
      const e = this.at(i);
      if (e) out.push({ hash: this.bytes.toString('hex', base, base + HASH), ...e });
    }
    return out;
  }
}

/** One text index line; a line without its final newline (a torn write) does not match. */
const INDEX_LINE = /^([0-9a-f]{64}) (\d{1,15}) (\d{1,15})(?: d (\d{1,15}))?\n/gm;

/** The text index of older stores, parsed whole into a map; damaged or torn lines are skipped. */
class TextPackIndex implements PackLookup {
  private constructor(private readonly map: Map<string, Located>) {}

  static parse(text: string): TextPackIndex {
    const map = new Map<string, Located>();
    INDEX_LINE.lastIndex = 0;
    for (let m = INDEX_LINE.exec(text); m; m = INDEX_LINE.exec(text)) {
      if (map.has(m[1])) continue;
      const offset = Number(m[2]);
      const size = Number(m[3]);
      if (m[4] === undefined) map.set(m[1], { offset, size });
      else if (Number(m[4]) > 0 && size > 0) map.set(m[1], { offset, size, deflated: Number(m[4]) });
    }
    return new TextPackIndex(map);
  }

  find(hash: string): Located | undefined {
    return this.map.get(hash);
  }

  entries(): PackIndexEntry[] {
    return [...this.map].map(([hash, e]) => ({ hash, ...e }));
  }
}
