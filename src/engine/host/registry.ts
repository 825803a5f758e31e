import * as path from 'path';
import { createHash } from 'crypto';
import { readJson, writeJsonAtomic, ensureDirDurable } from '../store/durable';
import { acquireLock } from '../store/lock';
import { VobTagExistsError, VobTagNotFoundError } from './errors';
import type { HostLayout } from './layout';

/** The VOB-tag registry of a host: which local replica storage each tag names. */
export interface VobTagEntry {
  tag: string;
  /** Absolute path of the replica storage directory. */
  dir: string;
  familyOid: string;
  replicaOid: string;
  replicaName: string;
}

interface RegistryFile {
  tags: Record<string, VobTagEntry>;
}

export function listVobTags(l: HostLayout): VobTagEntry[] {
  const f = readJson<RegistryFile>(l.vobTags);
  return f ? Object.values(f.tags).sort((a, b) => a.tag.localeCompare(b.tag)) : [];
}

export function findVobTag(l: HostLayout, tag: string, hostName: string): VobTagEntry {
  const e = listVobTags(l).find((t) => t.tag === tag);
  if (!e) throw new VobTagNotFoundError(tag, hostName);
  return e;
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
    const f = readJson<RegistryFile>(l.vobTags) ?? { tags: {} };
    const out = fn(f);
    writeJsonAtomic(l.vobTags, f);
    return out;
  } finally {
    lock.release();
  }
}

export async function registerVobTag(l: HostLayout, entry: VobTagEntry): Promise<void> {
  await withRegistry(l, (f) => {
    if (Object.prototype.hasOwnProperty.call(f.tags, entry.tag)) throw new VobTagExistsError(entry.tag);
    f.tags[entry.tag] = entry;
  });
}
