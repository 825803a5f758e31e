import { MultiSiteError } from './errors';

/** Largest physical packet MultiSite allows: 2097151 KB (2 GB - 1 KB), seed shipping.conf. */
export const MAX_DATA_SIZE_KB = 2097151;

const UNIT: Record<string, number> = { '': 1024, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

export interface ParsedSize {
  bytes: number;
  kilobytes: number;
}

/**
 * Parses a MultiSite size: an integer with an optional k, m or g suffix (case-insensitive);
 * no suffix means KB, as the seed says for MAX-DATA-SIZE and -maxsize. Returns undefined
 * when the text is not of that form, so callers can word the error for their context.
 */
export function parseSize(text: string): ParsedSize | undefined {
  const m = /^(\d{1,12})([kKmMgG]?)$/.exec(text.trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNIT[m[2].toLowerCase()];
  return { bytes, kilobytes: bytes / 1024 };
}

/** parseSize for command-line options: throws a clear error naming the option. */
export function parseSizeOption(option: string, text: string): number {
  const s = parseSize(text);
  if (!s) throw new MultiSiteError(`Invalid size "${text}" for ${option}: use an integer with an optional k, m or g suffix (no suffix = KB).`);
  if (s.bytes === 0) throw new MultiSiteError(`Invalid size "${text}" for ${option}: must be greater than zero.`);
  if (s.kilobytes > MAX_DATA_SIZE_KB) throw new MultiSiteError(`Size "${text}" for ${option} is over the maximum of ${MAX_DATA_SIZE_KB} KB (2 GB - 1 KB).`);
  return s.bytes;
}
