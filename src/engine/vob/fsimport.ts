import * as fs from 'fs';
import * as path from 'path';
import { HostilePathError } from '../errors';
import { elementPathProblem, type OpBody } from '../store/ops';
import { lookup } from '../store/vobState';
import { withVob, type EngineContext } from './access';
import { BadSelectorError } from './errors';
import { namespaceMaster, branchMaster, requireMaster } from './mastership';
import { ElementNamespace } from './namespace';

export interface FsimportResult {
  created: string[];
  changed: string[];
  unchanged: number;
  skipped: string[];
}

interface FileItem {
  element: string;
  file: string;
}

/**
 * Walks a directory tree: every regular file is an element (path relative to DIR). Symbolic
 * links are followed only when they resolve inside DIR; one pointing outside refuses the whole
 * import before anything changes. Links to directories are skipped (no cycles).
 */
function walk(root: string): { files: FileItem[]; skipped: string[] } {
  const realRoot = fs.realpathSync(root);
  const files: FileItem[] = [];
  const skipped: string[] = [];
  const visit = (dir: string, rel: string): void => {
    const names = fs.readdirSync(dir).sort();
    for (const name of names) {
      const full = path.join(dir, name);
      const elementPath = rel ? `${rel}/${name}` : name;
      const problem = elementPathProblem(elementPath);
      if (problem) throw new HostilePathError(full, `it cannot be an element pathname: ${problem}`);
      const st = fs.lstatSync(full);
      if (st.isSymbolicLink()) {
        let target: string;
        try {
          target = fs.realpathSync(full);
        } catch {
          throw new HostilePathError(full, 'it is a symbolic link that does not resolve');
        }
        if (target !== realRoot && !target.startsWith(realRoot + path.sep)) throw new HostilePathError(full, `it is a symbolic link to ${target}, outside ${realRoot}`);
        const tst = fs.statSync(target);
        if (tst.isFile()) files.push({ element: elementPath, file: target });
        else skipped.push(elementPath);
      } else if (st.isDirectory()) {
        visit(full, elementPath);
      } else if (st.isFile()) {
        files.push({ element: elementPath, file: full });
      } else {
        skipped.push(elementPath);
      }
    }
  };
  visit(root, '');
  return { files, skipped };
}

/**
 * Brings a directory tree in as one transaction: new elements for new files, a new /main
 * version where content differs from the latest. Content streams into the blob store once.
 */
export async function fsimport(ctx: EngineContext, opts: { tag: string; dir: string; comment?: string }): Promise<FsimportResult> {
  let st: fs.Stats;
  try {
    st = fs.statSync(opts.dir);
  } catch {
    throw new BadSelectorError(`Cannot import "${opts.dir}": no such directory.`);
  }
  if (!st.isDirectory()) throw new BadSelectorError(`Cannot import "${opts.dir}": not a directory.`);
  const { files, skipped } = walk(opts.dir);
  return withVob(ctx, opts.tag, 'fsimport', async ({ replica: r }) => {
    const result: FsimportResult = { created: [], changed: [], unchanged: 0, skipped };
    const ops: OpBody[] = [];
    const batch = r.blobs.batch();
    const comment = opts.comment ? { comment: opts.comment } : {};
    try {
      const names = new ElementNamespace(r.state.elements);
      for (const f of files) {
        const el = lookup(r.state.elements, f.element);
        if (!el) {
          requireMaster(r, namespaceMaster(r.state), 'create element', `"${f.element}"`);
          names.check(f.element);
          names.add(f.element);
        } else requireMaster(r, branchMaster(r.state, f.element, '/main'), 'check in', `"${f.element}"`);
        const blob = await batch.putFile(f.file);
        if (!el) {
          ops.push({ kind: 'element.create', path: f.element });
          ops.push({ kind: 'version.create', path: f.element, branch: '/main', n: 1, blob: blob.hash, size: blob.size, ...comment });
          result.created.push(f.element);
          continue;
        }
        const versions = el.branches['/main'].versions;
        const latest = versions[versions.length - 1];
        if (latest && latest.blob === blob.hash) {
          result.unchanged++;
          continue;
        }
        ops.push({ kind: 'version.create', path: f.element, branch: '/main', n: versions.length, blob: blob.hash, size: blob.size, ...comment });
        result.changed.push(f.element);
      }
      await batch.commit();
    } catch (e) {
      await batch.abort();
      throw e;
    }
    if (ops.length) r.record(ops);
    return result;
  });
}
