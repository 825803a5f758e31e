import * as fs from 'fs';

/**
 * The few file-system questions the validator asks, behind an interface so tests can describe
 * situations a test machine cannot produce (another file system, no write permission as root)
 * and the language server can switch them off in untrusted or remote workspaces.
 */
export interface ConfStat {
  isDirectory: boolean;
  isFile: boolean;
  /** Device number: equal for two paths on one file system. */
  dev: number;
}

export interface ConfFileSystem {
  stat(path: string): ConfStat | undefined;
  canWrite(path: string): boolean;
  canExecute(path: string): boolean;
}

function accessible(path: string, mode: number): boolean {
  try {
    fs.accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

export const nodeFileSystem: ConfFileSystem = {
  stat(path: string): ConfStat | undefined {
    try {
      const s = fs.statSync(path, { throwIfNoEntry: false });
      return s ? { isDirectory: s.isDirectory(), isFile: s.isFile(), dev: s.dev } : undefined;
    } catch {
      return undefined; // e.g. ENOTDIR, EACCES, a NUL byte in the path
    }
  },
  canWrite: (path: string): boolean => accessible(path, fs.constants.W_OK),
  canExecute: (path: string): boolean => accessible(path, fs.constants.X_OK),
};

/** Wraps a file system so each question is asked once per validation (bays repeat across entries). */
export function cachedFileSystem(inner: ConfFileSystem): ConfFileSystem {
  const stats = new Map<string, ConfStat | undefined>();
  const writes = new Map<string, boolean>();
  const execs = new Map<string, boolean>();
  const memo = <T>(m: Map<string, T>, key: string, f: () => T): T => {
    if (m.has(key)) return m.get(key) as T;
    const v = f();
    m.set(key, v);
    return v;
  };
  return {
    stat: (p) => memo(stats, p, () => inner.stat(p)),
    canWrite: (p) => memo(writes, p, () => inner.canWrite(p)),
    canExecute: (p) => memo(execs, p, () => inner.canExecute(p)),
  };
}
