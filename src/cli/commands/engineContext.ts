import * as path from 'path';
import type { CommandContext } from '../command';
import type { ParsedArgs } from '../args';
import { MultiSiteError, UsageError } from '../../engine/errors';
import type { EngineContext } from '../../engine/vob/access';

/** The engine context of a command: its host home, lock waits told on stderr, MULTISITE_LOCKWAIT. */
export function engineContext(ctx: CommandContext): EngineContext {
  return {
    home: ctx.home,
    onWait: (m) => ctx.err(`${ctx.program}: ${m}`),
    lockTimeoutMs: lockWaitMs(ctx.env.MULTISITE_LOCKWAIT),
  };
}

/**
 * MULTISITE_LOCKWAIT in seconds; unset or empty: the engine's default. A value that is not a
 * number is refused rather than taken as the default: a script that set it to "5m" or "none"
 * expects a wait it would not get.
 */
function lockWaitMs(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value)) throw new MultiSiteError(`MULTISITE_LOCKWAIT="${value}" is not a number of seconds (e.g. 60, or 0 not to wait for a busy replica).`);
  return Number(value) * 1000;
}

export function resolvePath(ctx: CommandContext, p: string): string {
  // path.resolve('') is the current directory: an unset shell variable ("$PKTDIR") would quietly
  // import, list or write there.
  if (p === '') throw new UsageError(EMPTY_PATH);
  return path.resolve(ctx.cwd, p);
}

/**
 * resolvePath for -out: a trailing "/" says "a directory" and is kept, so that a missing one is
 * refused instead of taken as the name of a packet file ("-out pkts/" wrote a file "pkts").
 */
export function resolveOutPath(ctx: CommandContext, p: string): string {
  const r = resolvePath(ctx, p);
  return (p.endsWith('/') || p.endsWith(path.sep)) && !r.endsWith(path.sep) ? r + path.sep : r;
}

const EMPTY_PATH = 'An empty pathname was given: name a file or directory ("." for the current directory).';

export function requireValue(args: ParsedArgs, name: string, usage: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw new UsageError(`Option "-${name}" is required.`, usage);
  return v;
}

export function operands(args: ParsedArgs, min: number, max: number, usage: string, what: string): string[] {
  const n = args.operands.length;
  if (n < min) throw new UsageError(`Missing ${what}.`, usage);
  if (n > max) throw new UsageError(`Too many arguments: "${args.operands.slice(max).join(' ')}".`, usage);
  return args.operands;
}
