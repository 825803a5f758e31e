/**
 * The physical packet layout (docs/packets.md has the full specification):
 *
 *   magic (8) | header length H (u32 BE) | header JSON (H bytes) | Ed25519 signature (64) | body
 *
 * The signature covers the magic, the length and the header; the header carries the body's
 * length and sha256, so one signature covers every byte of the file. The body is a sequence of
 * frames:
 *
 *   'R' len (u32 BE) JSON                                  one record
 *   'B' sha256 (32) size (u64 BE) bytes                    one content blob, as it is
 *   'D' sha256 (32) size (u64 BE) stored (u64 BE) deflate  one content blob, raw deflate (minor 3)
 *   'Z' raw (u32 BE) stored (u32 BE) deflate               'R' frames, raw deflate (minor 3)
 *   'E'                                                    end of body
 *
 * The hash and size of a 'D' frame are those of the content, not of the deflated bytes. Minor 2
 * writers compressed the whole frame stream with gzip instead (body.compression "gzip"); that
 * is still read.
 */
export const MAGIC = Buffer.from([0x89, 0x4d, 0x53, 0x50, 0x4b, 0x54, 0x0d, 0x0a]); // \x89 M S P K T \r \n
export const PREFIX_BYTES = MAGIC.length + 4;
export const SIGNATURE_BYTES = 64;
/** A header lists targets and per-replica ranges: kilobytes in practice; anything near this is hostile. */
export const MAX_HEADER_BYTES = 1024 * 1024;
/** One record is one oplog entry's metadata; content travels as blobs, so records stay small. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export const FRAME_RECORD = 0x52; // 'R'
export const FRAME_BLOB = 0x42; // 'B'
export const FRAME_END = 0x45; // 'E'
export const FRAME_DEFLATED_BLOB = 0x44; // 'D'
export const FRAME_DEFLATED_RECORDS = 0x5a; // 'Z'
export const RECORD_FRAME_OVERHEAD = 1 + 4;
export const BLOB_FRAME_OVERHEAD = 1 + 32 + 8;
export const DEFLATED_BLOB_FRAME_OVERHEAD = BLOB_FRAME_OVERHEAD + 8;
export const DEFLATED_RECORDS_FRAME_OVERHEAD = 1 + 4 + 4;
/** Records gathered into one 'Z' frame: large enough to compress well, small enough to inflate whole. */
export const MAX_DEFLATED_RECORDS_BYTES = 4 * 1024 * 1024;
export const END_FRAME_BYTES = 1;

/** Bytes of a physical packet before its body. */
export function bodyOffset(headerLength: number): number {
  return PREFIX_BYTES + headerLength + SIGNATURE_BYTES;
}

export function encodePrefix(headerLength: number): Buffer {
  const b = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32BE(headerLength, MAGIC.length);
  return b;
}

/**
 * A content frame's head written into `buf` at `at`: 'D' when `deflated` (the stored length) is
 * given, else 'B'. Returns the offset after it.
 */
export function writeBlobFrameHead(buf: Buffer, at: number, hash: string, size: number, deflated?: number): number {
  buf[at] = deflated === undefined ? FRAME_BLOB : FRAME_DEFLATED_BLOB;
  buf.write(hash, at + 1, 32, 'hex');
  writeU64(buf, size, at + 33);
  if (deflated === undefined) return at + BLOB_FRAME_OVERHEAD;
  writeU64(buf, deflated, at + 41);
  return at + DEFLATED_BLOB_FRAME_OVERHEAD;
}

/** A safe integer as 8 big-endian bytes, as two 32-bit halves: a BigInt per frame showed in exports of many versions. */
function writeU64(buf: Buffer, n: number, at: number): void {
  buf.writeUInt32BE(Math.floor(n / 2 ** 32), at);
  buf.writeUInt32BE(n >>> 0, at + 4);
}

export function encodeDeflatedRecordsFrameHead(raw: number, stored: number): Buffer {
  const b = Buffer.alloc(DEFLATED_RECORDS_FRAME_OVERHEAD);
  b[0] = FRAME_DEFLATED_RECORDS;
  b.writeUInt32BE(raw, 1);
  b.writeUInt32BE(stored, 5);
  return b;
}

/**
 * Most bytes raw deflate can make of n bytes (zlib's deflateBound for the default window and
 * memory level, with a margin). A frame declaring more deflated bytes than this for its content
 * is malformed: no deflater produced it.
 */
export function deflateBound(n: number): number {
  return n + Math.ceil(n / 4096) + Math.ceil(n / 16384) + Math.ceil(n / 33554432) + 64;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The 8.x packet-name timestamp: local time with offset, `YYYY-MM-DDThhmmss+zzzz`. */
export function isoNameStamp(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** The older packet-name timestamp, `dd-Mon-yy.HH.MM.SS` (local time). */
export function classicNameStamp(d: Date): string {
  return `${pad(d.getDate())}-${MONTHS[d.getMonth()]}-${pad(d.getFullYear() % 100)}.${pad(d.getHours())}.${pad(d.getMinutes())}.${pad(d.getSeconds())}`;
}
