import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { ReplicaLockedError } from './errors';

/**
 * One lock file per replica serialises commands (MultiSite's VOB lock; sync_receive's
 * ms_recv_<oid>.mslock). Created with O_EXCL so exactly one holder wins; a lock left by a
 * process that no longer exists on this host is broken, under a second short-lived
 * "breaker" lock so two waiters cannot both break it and both proceed.
 */
export interface LockOptions {
  /** What the holder is doing, shown to whoever waits. */
  command: string;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Called once when the lock is busy and we start waiting. */
  onWait?(message: string): void;
}

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** Distinguishes two holders of one process (the extension runs commands in-process). */
  token?: string;
}

export interface HeldLock {
  release(): void;
  /** True when taking the lock meant breaking one left by a dead process: its temp files may remain. */
  brokeStale: boolean;
  /** Then, when the dead holder took it (ms since the epoch): what it wrote is no older. */
  staleSince?: number;
}

const POLL_MS = 50;
const BREAKER_STALE_MS = 10_000;

export function readLockHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return undefined;
    return { pid: h.pid, host: h.host, command: String(h.command ?? ''), since: String(h.since ?? ''), token: typeof h.token === 'string' ? h.token : undefined };
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process killed (kill -9) whose parent has not reaped it yet still answers signal 0: on
 * Linux its /proc state says it is a zombie, which will never release a lock. Elsewhere, or
 * if /proc cannot be read, it counts as alive.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "pid (command) S ...": the command may hold spaces and parentheses; the state follows the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/**
 * Creates the lock with its holder already in it: the holder is written to a private temp
 * file which is then hard-linked to the lock name (link fails with EEXIST atomically, like
 * O_EXCL). A lock file therefore never exists empty, so a waiter under heavy load cannot
 * mistake a just-created lock for an unreadable, stale one and break it.
 */
function tryCreate(file: string, holder: LockHolder): boolean {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(holder), { mode: 0o644 });
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes the lock if its holder is a dead process of this host. Returns, when it did, when that
 * holder took it (the lock file's time), else undefined.
 */
function breakIfStale(file: string): number | undefined {
  const holder = readLockHolder(file);
  const stat = safeStat(file);
  if (!stat) return undefined;
  if (holder) {
    if (holder.host !== os.hostname() || processAlive(holder.pid)) return undefined;
  } else if (Date.now() - stat.mtimeMs < 2000) {
    // Unreadable and young: its creator may still be writing its name into it.
    return undefined;
  }
  const breaker = `${file}.break`;
  const me: LockHolder = { pid: process.pid, host: os.hostname(), command: 'break stale lock', since: new Date().toISOString() };
  if (!tryCreate(breaker, me)) {
    const bs = safeStat(breaker);
    if (bs && Date.now() - bs.mtimeMs > BREAKER_STALE_MS) fs.rmSync(breaker, { force: true });
    return undefined;
  }
  try {
    // Re-check under the breaker: someone may have broken it and taken it meanwhile.
    const again = readLockHolder(file);
    const sameDead = holder ? again !== undefined && again.pid === holder.pid && again.token === holder.token : again === undefined;
    if (!sameDead || !safeStat(file)) return undefined;
    fs.rmSync(file, { force: true });
    return stat.mtimeMs;
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

function safeStat(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * The lock at once, breaking one left by a dead process of this host, or undefined while a live
 * holder has it (never waits). For one-off commands that must not run twice at once (mkhost).
 */
export function takeLockNow(file: string, command: string): HeldLock | undefined {
  const me: LockHolder = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString(), token: randomUUID() };
  if (tryCreate(file, me)) return holding(file, me);
  const since = breakIfStale(file);
  return since !== undefined && tryCreate(file, me) ? holding(file, me, since) : undefined;
}

/**
 * The lock, waiting for a live holder up to `timeoutMs` without returning to the event loop:
 * for a read-modify-write of a small file that takes milliseconds (addpeer's site.ini), where a
 * caller that is not async must not lose another command's change. Undefined on time-out.
 */
export function takeLockWaiting(file: string, command: string, timeoutMs: number): HeldLock | undefined {
  const start = Date.now();
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const held = takeLockNow(file, command);
    if (held || Date.now() - start >= timeoutMs) return held;
    Atomics.wait(nap, 0, 0, 10);
  }
}

export function describeHolder(h: LockHolder | undefined): string {
  return h ? `process ${h.pid} on ${h.host} (${h.command}, since ${h.since})` : 'another process';
}

/**
 * The lock if it can be had at once, else undefined: never waits, never breaks a stale lock,
 * never throws (a reader without write access simply gets none). For work that may be skipped.
 */
export function tryLock(file: string, command: string): HeldLock | undefined {
  const me: LockHolder = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString(), token: randomUUID() };
  try {
    return tryCreate(file, me) ? holding(file, me) : undefined;
  } catch {
    return undefined;
  }
}

function holding(file: string, me: LockHolder, staleSince?: number): HeldLock {
  let released = false;
  return {
    brokeStale: staleSince !== undefined,
    staleSince,
    release(): void {
      if (released) return;
      released = true;
      const h = readLockHolder(file);
      if (h && h.token === me.token) fs.rmSync(file, { force: true });
    },
  };
}

export async function acquireLock(file: string, label: string, opts: LockOptions): Promise<HeldLock> {
  const me: LockHolder = { pid: process.pid, host: os.hostname(), command: opts.command, since: new Date().toISOString(), token: randomUUID() };
  const timeout = opts.timeoutMs ?? 60_000;
  const start = Date.now();
  let told = false;
  let staleSince: number | undefined;
  for (;;) {
    if (tryCreate(file, me)) break;
    const since = breakIfStale(file);
    if (since !== undefined) {
      staleSince = Math.min(since, staleSince ?? since);
      continue;
    }
    const holder = readLockHolder(file);
    if (Date.now() - start >= timeout) throw new ReplicaLockedError(label, describeHolder(holder), Math.round(timeout / 1000));
    if (!told) {
      told = true;
      opts.onWait?.(`Replica "${label}" is locked by ${describeHolder(holder)}; waiting up to ${Math.round(timeout / 1000)} s...`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return holding(file, me, staleSince);
}

/** Pids in the names of temp files (durable.ts tmpName: `.tmp.<pid>.`; lock temps: `.<pid>.<uuid>.tmp`). */
const TEMP_PID = [/\.tmp\.(\d+)\./, /\.(\d+)\.[0-9a-f-]{36}\.tmp$/];

/**
 * Removes temp files in `dir` (not below) whose writing process no longer runs on this host:
 * what a kill -9 left half-written. Only a dead writer's files go; a live one's are untouched.
 */
export function sweepDeadTemps(dir: string): number {
  return removeDeadOwners(dir, (n) => TEMP_PID.map((re) => re.exec(n)).find((x) => x !== null)?.[1]);
}

/**
 * Removes what a killed `mkvob` or `mkreplica -import` left while building the storage for
 * `dir`: its siblings `<dir>.new-<pid>-<time>` (see createReplicaStorage) whose builder no
 * longer runs on this host. Nothing else ever names them, so without this each kill left a
 * whole copy of the VOB behind for good.
 */
export function sweepDeadBuilds(dir: string): number {
  const prefix = `${path.basename(dir)}.new-`;
  return removeDeadOwners(path.dirname(dir), (n) => (n.startsWith(prefix) ? /^(\d+)-[0-9a-z]+$/.exec(n.slice(prefix.length))?.[1] : undefined));
}

/** Removes the entries of `dir` whose name carries (pidIn) the pid of a process no longer running here. */
function removeDeadOwners(dir: string, pidIn: (name: string) => string | undefined): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    const digits = pidIn(n);
    if (digits === undefined) continue;
    const pid = Number(digits);
    if (pid === process.pid || processAlive(pid)) continue;
    fs.rmSync(path.join(dir, n), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
