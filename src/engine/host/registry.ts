import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { readJson, writeJsonAtomic, ensureDirDurable, nearestExisting } from '../store/durable';
import { acquireLock } from '../store/lock';
import { StorageDirError, VobTagExistsError, VobTagNotFoundError, VobTagRegistryDamagedError, VobTagRegistryError } from './errors';
import type { HostLayout } from './layout';

/** The VOB-tag registry of a host: which local replica storage each tag names. */
export interface VobTagEntry {
  tag: string;
  /**
   * Absolute path of the replica storage directory. On disk a directory inside the home is
   * stored relative to it, so a home copied elsewhere (`cp -a`) names its own copies.
   */
  dir: string;
  familyOid: string;
  replicaOid: string;
  replicaName: string;
}

interface RegistryFile {
  tags: Record<string, VobTagEntry>;
}

/**
 * The registry as written, or undefined if there is none yet. Every command reads it first, so a
 * damaged one must be one clear line, not a parse error with a stack, and never read as "no VOBs"
 * (a rewrite would then drop every entry).
 */
function readRegistry(l: HostLayout): RegistryFile | undefined {
  let f: unknown;
  try {
    f = readJson<unknown>(l.vobTags);
  } catch (e) {
    if (e instanceof SyntaxError) throw new VobTagRegistryDamagedError(l.vobTags, 'it is not JSON');
    throw e;
  }
  if (f === undefined) return undefined;
  const tags = (f as { tags?: unknown } | null)?.tags;
  if (typeof f !== 'object' || f === null || Array.isArray(f) || typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new VobTagRegistryDamagedError(l.vobTags, 'it has no "tags" object');
  }
  for (const [tag, e] of Object.entries(tags as Record<string, unknown>)) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new VobTagRegistryDamagedError(l.vobTags, `the entry for "${tag}" is not an object`);
    if ((e as { tag?: unknown }).tag !== tag) throw new VobTagRegistryDamagedError(l.vobTags, `the entry for "${tag}" names another tag`);
  }
  return f as RegistryFile;
}

export function listVobTags(l: HostLayout): VobTagEntry[] {
  const f = readRegistry(l);
  if (!f) return [];
  return Object.values(f.tags)
    .map((e) => ({ ...e, dir: resolveStoredDir(l, e) }))
    // Code-point order: the first localeCompare in a process loads ICU collation, ~7 ms of every command.
    .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * A relative entry is resolved against the home and must stay inside it: a registry edited to
 * say `../../elsewhere` is refused rather than followed. An absolute entry (written before
 * entries became relative, or a `-vob` directory outside the home) is taken as it is.
 */
function resolveStoredDir(l: HostLayout, e: VobTagEntry): string {
  if (typeof e.dir !== 'string' || e.dir === '') throw new VobTagRegistryError(l.vobTags, e.tag, String(e.dir), 'it names no directory');
  if (path.isAbsolute(e.dir)) return e.dir;
  const abs = path.resolve(l.home, e.dir);
  if (!isInside(l.home, abs)) throw new VobTagRegistryError(l.vobTags, e.tag, e.dir, 'it leads outside the host home');
  return abs;
}

/** The form written to disk: relative to the home when the directory is inside it. */
function storedDir(l: HostLayout, dir: string): string {
  const abs = path.resolve(dir);
  if (!isInside(l.home, abs)) return abs;
  return path.relative(l.home, abs).split(path.sep).join('/') || '.';
}

export function findVobTag(l: HostLayout, tag: string, hostName: string): VobTagEntry {
  const e = listVobTags(l).find((t) => t.tag === tag);
  if (!e) throw new VobTagNotFoundError(tag, hostName);
  return e;
}

/**
 * Refuses a new replica's storage directory (not yet existing) inside another replica's storage,
 * whose files it would mix with, or under a path that is not a directory.
 */
export function checkNewStorageDir(l: HostLayout, dir: string): void {
  const existing = nearestExisting(path.dirname(dir));
  if (!fs.statSync(existing).isDirectory()) throw new StorageDirError(dir, `${existing} is not a directory`);
  // Compared through real paths, so a symbolic link into another storage is seen for what it is.
  const real = path.join(fs.realpathSync(existing), path.relative(existing, dir));
  for (const t of listVobTags(l)) {
    let other: string;
    try {
      other = fs.realpathSync(t.dir);
    } catch {
      continue;
    }
    if (isInside(other, real)) throw new StorageDirError(dir, `it is inside the storage of VOB "${t.tag}" (${t.dir})`);
  }
}

export function findReplicaByOid(l: HostLayout, replicaOid: string): VobTagEntry | undefined {
  return listVobTags(l).find((t) => t.replicaOid === replicaOid);
}

/** Default storage for a tag: vobs/<tag made safe>_<short hash>.vbs. */
export function defaultVobDir(l: HostLayout, tag: string): string {
  const safe = tag.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.]+/, '').slice(0, 60) || 'vob';
  const short = createHash('sha256').update(tag).digest('hex').slice(0, 8);
  return path.join(l.vobs, `${safe}_${short}.vbs`);
}

/** Tags are names (`/vobs/dev`, `\dev`), never empty and without control characters. */
export function vobTagProblem(tag: string): string | undefined {
  if (!tag) return 'it is empty';
  if (/[\x00-\x1f@]/.test(tag)) return 'it contains "@" or a control character';
  if (tag.length > 256) return 'it is too long';
  return undefined;
}

async function withRegistry<T>(l: HostLayout, fn: (f: RegistryFile) => T): Promise<T> {
  ensureDirDurable(l.vobs);
  const lock = await acquireLock(path.join(l.vobs, 'vob_tags.lock'), 'VOB-tag registry', { command: 'register VOB tag', timeoutMs: 30_000 });
  try {
    const f = readRegistry(l) ?? { tags: {} };
    const out = fn(f);
    // Rewriting also turns old absolute entries inside this home into relative ones.
    for (const e of Object.values(f.tags)) {
      if (typeof e.dir === 'string' && path.isAbsolute(e.dir)) e.dir = storedDir(l, e.dir);
    }
    writeJsonAtomic(l.vobTags, f);
    return out;
  } finally {
    lock.release();
  }
}

export async function registerVobTag(l: HostLayout, entry: VobTagEntry): Promise<void> {
  await withRegistry(l, (f) => {
    if (Object.prototype.hasOwnProperty.call(f.tags, entry.tag)) throw new VobTagExistsError(entry.tag);
    f.tags[entry.tag] = { ...entry, dir: storedDir(l, entry.dir) };
  });
}
