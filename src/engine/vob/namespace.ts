import type { ElementState } from '../store/vobState';
import { ObjectExistsError } from './errors';

/**
 * Element paths name files; the directories between them are implied. A path therefore cannot
 * be both a file element and a directory holding others (`a.c` and `a.c/x`): that would make
 * a tree no file system can hold when the VOB is loaded or exported. Built once per command.
 */
export class ElementNamespace {
  private readonly files = new Set<string>();
  /** Implied directory -> one element below it, to name in the message. */
  private readonly dirs = new Map<string, string>();

  constructor(elements: Readonly<Record<string, ElementState>>) {
    for (const p of Object.keys(elements)) this.add(p);
  }

  /** Throws ObjectExistsError when `p` cannot become a new file element. */
  check(p: string): void {
    const below = this.dirs.get(p);
    if (below !== undefined) throw new ObjectExistsError(`Cannot create element "${p}": it is a directory holding element "${below}".`);
    for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
      const parent = p.slice(0, i);
      if (this.files.has(parent)) throw new ObjectExistsError(`Cannot create element "${p}": "${parent}" is a file element, not a directory.`);
    }
  }

  add(p: string): void {
    this.files.add(p);
    for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
      const dir = p.slice(0, i);
      if (!this.dirs.has(dir)) this.dirs.set(dir, p);
    }
  }
}
