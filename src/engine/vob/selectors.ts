import { elementPathProblem, isValidBranchPath } from '../store/ops';
import { HostilePathError } from '../errors';
import { BadSelectorError } from './errors';

/** Element pathnames as users type them: `src/a.c`, `./src/a.c`. Refuses anything that would leave the VOB. */
export function normalizeElementPath(input: string): string {
  // Not read as a separator: that would quietly turn `a\b` into `a/b` (another element than a
  // POSIX user meant), and a name holding one could never be loaded on a Windows host.
  if (input.includes('\\')) {
    throw new HostilePathError(input, 'a backslash is not a separator in an element pathname (use "/") and cannot be part of an element name');
  }
  let p = input;
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/\/+$/, '');
  const problem = elementPathProblem(p);
  if (problem) throw new HostilePathError(input, `an element pathname must be relative to the VOB root, and ${problem}`);
  return p;
}

export interface VersionSelector {
  path: string;
  branch: string;
  n: number;
}

/** `PATH@@/main/3`, `PATH@@/main/dev/1`. */
export function parseVersionSelector(text: string): VersionSelector {
  const at = text.lastIndexOf('@@');
  if (at < 0) throw new BadSelectorError(`"${text}" does not name a version: use PATH@@/BRANCH/N, e.g. src/a.c@@/main/1.`);
  const path = normalizeElementPath(text.slice(0, at));
  const rest = text.slice(at + 2);
  const m = /^(\/.+)\/(\d+)$/.exec(rest);
  if (!m || !isValidBranchPath(m[1])) throw new BadSelectorError(`"${text}" does not name a version: use PATH@@/BRANCH/N, e.g. ${path}@@/main/1.`);
  return { path, branch: m[1], n: Number(m[2]) };
}

/** `PATH@@/main/dev`: a branch of one element (chmaster). */
export function parseBranchSelector(text: string): { path: string; branch: string } {
  const at = text.lastIndexOf('@@');
  const path = at < 0 ? '' : normalizeElementPath(text.slice(0, at));
  const branch = at < 0 ? '' : text.slice(at + 2).replace(/\/+$/, '');
  if (at < 0 || !isValidBranchPath(branch)) throw new BadSelectorError(`"${text}" does not name a branch: use PATH@@/BRANCH, e.g. src/a.c@@/main.`);
  return { path, branch };
}
