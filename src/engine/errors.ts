/**
 * Errors users can act on. Each failure kind is a class carrying its facts; the command line
 * and the extension print `message` as one line. Anything that is not a MultiSiteError is a
 * bug and is reported with its stack (see src/cli/run.ts).
 */
const BRAND = Symbol.for('multisite.MultiSiteError');

export class MultiSiteError extends Error {
  /** Exit status the command line uses for this failure (1 unless a subclass says otherwise). */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True for a MultiSiteError thrown by any copy of the engine: the extension runs a second bundle
 * of it (dist/engineApi.js), whose classes are not the extension bundle's, so instanceof alone
 * would take its errors for bugs.
 */
export function isMultiSiteError(e: unknown): e is MultiSiteError {
  return e instanceof MultiSiteError || (typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true);
}

/** Wrong command-line words: unknown or ambiguous option, missing operand. */
export class UsageError extends MultiSiteError {
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

/** A path that would escape where it must stay, or is otherwise unacceptable. */
export class HostilePathError extends MultiSiteError {
  constructor(readonly path: string, reason: string) {
    super(`Refusing path "${path}": ${reason}.`);
  }
}
