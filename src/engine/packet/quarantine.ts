import * as fs from 'fs';
import * as path from 'path';
import { QuarantineError } from './errors';

/**
 * Moves a packet that failed verification out of the way, into <home>/shipping/quarantine/,
 * with a `<name>.reason` file beside it (reason, time, original path), so nothing is lost
 * silently and nothing tries it again. An earlier quarantined packet of the same name is never
 * overwritten: the newcomer gets `<name>_1`, `<name>_2`, ...
 */
export function quarantineDir(home: string): string {
  return path.join(home, 'shipping', 'quarantine');
}

export interface Quarantined {
  path: string;
  reasonFile: string;
}

export async function quarantine(file: string, reason: string, home: string): Promise<Quarantined> {
  const dir = quarantineDir(home);
  try {
    await fs.promises.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new QuarantineError(file, `cannot make ${dir} (${(e as Error).message})`);
  }
  const base = path.basename(file);
  const original = path.resolve(file);
  for (let i = 0; i < 10000; i++) {
    const name = i === 0 ? base : `${base}_${i}`;
    const target = path.join(dir, name);
    const reasonFile = `${target}.reason`;
    // The reason file is claimed first (exclusive create): it reserves the name for this packet.
    try {
      await fs.promises.writeFile(reasonFile, `reason: ${reason}\ntime: ${new Date().toISOString()}\noriginal: ${original}\n`, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new QuarantineError(file, (e as Error).message);
    }
    if (fs.existsSync(target)) {
      await fs.promises.rm(reasonFile, { force: true });
      continue;
    }
    try {
      await moveNoReplace(file, target);
    } catch (e) {
      await fs.promises.rm(reasonFile, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new QuarantineError(file, (e as Error).message);
    }
    return { path: target, reasonFile };
  }
  throw new QuarantineError(file, `no free name in ${dir}`);
}

async function moveNoReplace(from: string, to: string): Promise<void> {
  try {
    await fs.promises.link(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    // Another file system, or no hard links: copy without replacing, then remove the original.
    await fs.promises.copyFile(from, to, fs.constants.COPYFILE_EXCL);
  }
  try {
    await fs.promises.unlink(from);
  } catch (e) {
    // Not moved after all (a read-only bay): no second copy is left in the quarantine folder.
    await fs.promises.rm(to, { force: true });
    throw e;
  }
}
