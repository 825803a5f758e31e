/**
 * Errors users can act on. Each failure kind is a class carrying its facts; the command line
 * and the extension print `message` as one line. Anything that is not a MultiSiteError is a
 * bug and is reported with its stack (see src/cli/run.ts).
 */
export class MultiSiteError extends Error {
  /** Exit status the command line uses for this failure (1 unless a subclass says otherwise). */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
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
