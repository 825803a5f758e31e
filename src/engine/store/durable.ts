import * as fs from 'fs';
import * as path from 'path';

/**
 * Durable file primitives. Every piece of replica state is replaced by write-tmp, fsync,
 * rename, fsync-dir, so a kill -9 or power loss leaves either the old or the new file, never
 * a torn one.
 */
let tmpCounter = 0;

export function tmpName(target: string): string {
  return `${target}.tmp.${process.pid}.${Date.now().toString(36)}.${(tmpCounter++).toString(36)}`;
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    // Some file systems refuse fsync on a directory (EINVAL/EISDIR); the rename is still atomic there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function writeFileAtomic(target: string, data: string | Buffer, mode = 0o644): void {
  writePiecesAtomic(target, [data], mode);
}

/**
 * writeFileAtomic for content made piece by piece (a large snapshot), each piece written as it
 * comes: the whole never has to be in memory at once.
 */
export function writePiecesAtomic(target: string, pieces: Iterable<string | Buffer>, mode = 0o644): void {
  const tmp = tmpName(target);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    for (const piece of pieces) {
      const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
      for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off, buf.length - off);
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(path.dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown, mode?: number): void {
  writeFileAtomic(target, JSON.stringify(value) + '\n', mode);
}

export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as T;
}

/** `p` itself if it exists, else its nearest ancestor that does: where a mkdir -p of `p` would start. */
export function nearestExisting(p: string): string {
  let d = path.resolve(p);
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/** mkdir -p, then make the new directory entries durable up to the first one that existed. */
export function ensureDirDurable(dir: string): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  while (!fs.existsSync(d)) {
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  if (missing.length === 0) return;
  fs.mkdirSync(dir, { recursive: true });
  for (const m of missing) fsyncDir(path.dirname(m));
}
