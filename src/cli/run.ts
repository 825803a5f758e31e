import { parseArgs } from './args';
import type { CommandContext, CommandIO, CommandSpec } from './command';
import { PROGRAMS, type Program } from './commands';
import { MultiSiteError, UsageError } from '../engine/errors';
import { oneLine } from '../engine/oneLine';

/**
 * Runs one program of the command-line contract in-process and returns its exit status.
 * The CLI entry point and the extension both come through here, so both print the same
 * one-line errors. `-trace` anywhere in argv prints the stack of any failure.
 */
export async function runProgram(program: string, argv: readonly string[], io: CommandIO): Promise<number> {
  const trace = argv.includes('-trace');
  const words = argv.filter((a) => a !== '-trace');
  // Every line on stderr stays one line whatever names it quotes (a path or tag holding a newline).
  const err = (l: string): void => io.err(oneLine(l));
  const ctx: CommandContext = { ...io, err, program, warn: (t) => err(`${program}: Warning: ${t}`) };
  try {
    const prog = Object.prototype.hasOwnProperty.call(PROGRAMS, program) ? PROGRAMS[program] : undefined;
    if (!prog) throw new UsageError(`Unknown program "${program}": one of ${Object.keys(PROGRAMS).join(', ')}.`);
    const help = helpText(program, prog, words);
    if (help) {
      io.out(help);
      return 0;
    }
    const { spec, rest } = selectCommand(program, prog, words);
    const parsed = parseArgs(rest, spec.options);
    const status = await spec.run(ctx, parsed);
    return status ?? 0;
  } catch (e) {
    return report(ctx, io, e, trace);
  }
}

/**
 * `multitool help`, `multitool help COMMAND` and `multitool COMMAND -help`, as the original's
 * help: the synopsis on stdout, status 0.
 */
function helpText(program: string, prog: Program, words: readonly string[]): string | undefined {
  if (!('subcommands' in prog)) return words.includes('-help') ? `Usage: ${program} ${prog.usage}` : undefined;
  const commands = prog.subcommands;
  const [first, second] = words;
  if (first === 'help' || first === '-help') {
    if (second === undefined) return `Usage: ${program} COMMAND [options]. Commands: ${Object.keys(commands).sort().join(', ')}.`;
    const spec = Object.prototype.hasOwnProperty.call(commands, second) ? commands[second] : undefined;
    return spec ? `Usage: ${program} ${spec.usage}` : undefined;
  }
  const spec = first !== undefined && Object.prototype.hasOwnProperty.call(commands, first) ? commands[first] : undefined;
  return spec && words.slice(1).includes('-help') ? `Usage: ${program} ${spec.usage}` : undefined;
}

function selectCommand(program: string, prog: Program, words: readonly string[]): { spec: CommandSpec; rest: readonly string[] } {
  if (!('subcommands' in prog)) return { spec: prog, rest: words };
  const [name, ...rest] = words;
  if (!name || name === 'help' || name === '-help') {
    throw new UsageError(`${name ? `Unrecognized command "${rest[0]}". ` : ''}Usage: ${program} COMMAND [options]. Commands: ${Object.keys(prog.subcommands).sort().join(', ')}.`);
  }
  const spec = Object.prototype.hasOwnProperty.call(prog.subcommands, name) ? prog.subcommands[name] : undefined;
  if (!spec) throw new UsageError(`Unrecognized command "${name}". Commands: ${Object.keys(prog.subcommands).sort().join(', ')}.`);
  return { spec, rest };
}

function report(ctx: CommandContext, io: CommandIO, e: unknown, trace: boolean): number {
  if (e instanceof MultiSiteError) {
    ctx.err(`${ctx.program}: Error: ${e.message}`);
    if (e instanceof UsageError && e.usage) ctx.err(`Usage: ${ctx.program} ${e.usage}`);
    if (trace && e.stack) io.err(e.stack);
    return e.exitCode;
  }
  const system = systemErrorLine(e);
  if (system) {
    ctx.err(`${ctx.program}: Error: ${system}`);
    if (trace && e instanceof Error && e.stack) io.err(e.stack);
    return 1;
  }
  // Not a user error: a bug. Always show the stack so it can be reported.
  const err = e instanceof Error ? e : new Error(String(e));
  ctx.err(`${ctx.program}: Internal error: ${err.message}`);
  if (err.stack) io.err(err.stack);
  return 2;
}

/**
 * Failures of the machine rather than of the program: a full disk, a quota, a read-only file
 * system, missing permission. The engine writes through temp files and renames, so such a
 * failure leaves what was there before; the user needs the path and the cause, not a stack.
 */
const SYSTEM_CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files',
};

/** A path the user gave that no file system call can take: the fix is another name. */
const PATH_CAUSES: Record<string, string> = {
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
};

function systemErrorLine(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = err && typeof err.code === 'string' ? err.code : '';
  const cause = SYSTEM_CAUSES[code] ?? PATH_CAUSES[code];
  if (!cause) return undefined;
  const where = err?.path ? ` ${err.path}` : '';
  if (PATH_CAUSES[code]) return `Cannot ${err?.syscall ?? 'open'}${where}: ${cause}; use another name.`;
  return `Cannot ${err?.syscall ?? 'write'}${where}: ${cause}. Nothing was changed by the step that failed; free the resource and run the command again.`;
}
