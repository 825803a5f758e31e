import { UsageError } from '../engine/errors';

/**
 * MultiSite option syntax: a single dash, unique prefixes accepted (`-max` for `-maxsize`),
 * an exact name always wins over a longer one it prefixes. Written by hand because no option
 * library accepts single-dash long names with prefix abbreviation; the rules are small.
 */
export type OptionKind = 'flag' | 'value' | 'multi';

export interface OptionSpec {
  /** Name without the dash, e.g. "maxsize". */
  name: string;
  /** flag: no argument; value: one argument, at most once; multi: one argument, repeatable. */
  kind: OptionKind;
}

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
  multi: Map<string, string[]>;
  operands: string[];
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const parsed: ParsedArgs = { flags: new Set(), values: new Map(), multi: new Map(), operands: [] };
  let onlyOperands = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (onlyOperands || !word.startsWith('-') || word === '-') {
      parsed.operands.push(word);
      continue;
    }
    if (word === '--') {
      onlyOperands = true;
      continue;
    }
    const spec = resolveOption(word.slice(1), specs);
    if (spec.kind === 'flag') {
      parsed.flags.add(spec.name);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`Option "-${spec.name}" requires an argument.`);
    if (spec.kind === 'value') {
      // Silently keeping the last of two values (`-invob A -invob B`) acts on what the user may not mean.
      if (parsed.values.has(spec.name)) throw new UsageError(`Option "-${spec.name}" given twice.`);
      parsed.values.set(spec.name, value);
    }
    else parsed.multi.set(spec.name, [...(parsed.multi.get(spec.name) ?? []), value]);
  }
  return parsed;
}

function resolveOption(typed: string, specs: readonly OptionSpec[]): OptionSpec {
  const exact = specs.find((s) => s.name === typed);
  if (exact) return exact;
  const candidates = specs.filter((s) => s.name.startsWith(typed));
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    const names = candidates.map((c) => `-${c.name}`).join(', ');
    throw new UsageError(`Ambiguous option "-${typed}": could be ${names}.`);
  }
  throw new UsageError(`Unrecognized option "-${typed}".`);
}

/** Options that exclude each other: at most one of them may be given. */
export function exclusive(parsed: ParsedArgs, names: readonly string[]): string | undefined {
  const given = names.filter((n) => parsed.flags.has(n) || parsed.values.has(n) || parsed.multi.has(n));
  if (given.length > 1) throw new UsageError(`Options ${given.map((g) => `-${g}`).join(' and ')} cannot be used together.`);
  return given[0];
}

/** Exactly one of the options must be given. */
export function oneOf(parsed: ParsedArgs, names: readonly string[]): string {
  const given = exclusive(parsed, names);
  if (!given) throw new UsageError(`One of ${names.map((n) => `-${n}`).join(', ')} is required.`);
  return given;
}
