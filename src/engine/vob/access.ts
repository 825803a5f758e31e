import { openHost, type Host } from '../host/host';
import { findVobTag, type VobTagEntry } from '../host/registry';
import { Replica } from '../store/replica';

/** How an engine call acts: as which host home, and how it waits for a busy replica. */
export interface EngineContext {
  home: string;
  /** Told once when the replica is locked by another command and this one starts waiting. */
  onWait?(message: string): void;
  /** How long to wait for a replica lock (default 60 s; MULTISITE_LOCKWAIT seconds on the command line). */
  lockTimeoutMs?: number;
}

export interface OpenVob {
  host: Host;
  entry: VobTagEntry;
  replica: Replica;
}

/** Opens the local replica a VOB tag names, locked for `command` (or read-only). */
export async function openVob(ctx: EngineContext, tag: string, command: string, readOnly = false): Promise<OpenVob> {
  const host = openHost(ctx.home);
  const entry = findVobTag(host.layout, tag, host.name);
  const replica = await Replica.open(entry.dir, { command, readOnly, onWait: ctx.onWait, timeoutMs: ctx.lockTimeoutMs });
  return { host, entry, replica };
}

export async function withVob<T>(ctx: EngineContext, tag: string, command: string, fn: (v: OpenVob) => Promise<T> | T, readOnly = false): Promise<T> {
  const v = await openVob(ctx, tag, command, readOnly);
  try {
    return await fn(v);
  } finally {
    v.replica.close();
  }
}
