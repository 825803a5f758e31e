import type * as Net from 'net';
import * as path from 'path';
import { MAX_DATA_SIZE_KB } from '../size';
import { cachedFileSystem, nodeFileSystem, type ConfFileSystem } from './fileSystem';
import {
  argCounts,
  argSpecAt,
  CQ_DEFAULT_CLASS,
  DEFAULT_CLASS,
  DEFAULT_EXPIRATION_DAYS,
  DEFAULT_ROUTE,
  DYNAMIC_PORT_RANGE,
  editDistance,
  keywordSpec,
  MAX_PORT_RANGE,
  MAX_STORAGE_CLASSES,
  MIN_PORT_RANGE,
  nearestKeyword,
  synopsis,
  type ArgKind,
} from './keywords';
import type { ZeroMaxDataSize } from './model';
import { entryAtLine, type ConfEntry, type ConfToken, type ParsedShippingConf } from './parser';
import { isRuleCode, RULE_CODES, ruleSpec, type RuleCode, type Severity } from './rules';

/** LSP-shaped positions (0-based line, UTF-16 character) so the server maps them one to one. */
export interface ConfPosition {
  line: number;
  character: number;
}
export interface ConfRange {
  start: ConfPosition;
  end: ConfPosition;
}
export interface ConfEdit {
  range: ConfRange;
  newText: string;
}
export interface ConfFix {
  title: string;
  edits: ConfEdit[];
  /** Directories to create (with parents) when the fix is applied. */
  mkdirs?: string[];
  /** The fix an editor may apply on its own (fix-all). */
  preferred?: boolean;
}
export interface ConfRelated {
  range: ConfRange;
  message: string;
}
export interface ConfDiagnostic {
  code: RuleCode;
  severity: Severity;
  message: string;
  range: ConfRange;
  related?: ConfRelated[];
  fixes?: ConfFix[];
}

export type SeverityOverride = Severity | 'off';

export interface ValidateOptions {
  /** Look at bays and programs on disk. Off by default: callers opt in (untrusted workspaces must not). */
  fileSystemChecks?: boolean;
  fs?: ConfFileSystem;
  /** Per-code severity overrides; 'off' drops the code. */
  severities?: Readonly<Record<string, SeverityOverride | undefined>>;
  zeroMaxDataSize?: ZeroMaxDataSize;
  /** Names and addresses of this host and its peers (site.ini); when given, next hops must be among them. */
  peers?: readonly string[];
}

export function tokenRange(t: ConfToken): ConfRange {
  return { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end } };
}

function spanRange(a: ConfToken, b: ConfToken): ConfRange {
  return { start: { line: a.line, character: a.start }, end: { line: b.line, character: b.end } };
}

export function entryRange(e: ConfEntry): ConfRange {
  const last = e.args.length > 0 ? e.args[e.args.length - 1] : e.keyword;
  return spanRange(e.keyword, last);
}

/** An edit deleting a whole line with its line break. */
export function deleteLineEdit(parsed: ParsedShippingConf, line: number): ConfEdit {
  if (line + 1 < parsed.lines.length) {
    return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, newText: '' };
  }
  const prev = line - 1;
  const start = prev >= 0 ? { line: prev, character: parsed.lines[prev].length } : { line, character: 0 };
  return { range: { start, end: { line, character: parsed.lines[line].length } }, newText: '' };
}

/** An edit inserting a new line after `line` (or at the top when line is -1). */
export function insertLineEdit(parsed: ParsedShippingConf, line: number, text: string): ConfEdit {
  if (line < 0) return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: text + '\n' };
  const at = { line, character: parsed.lines[line].length };
  return { range: { start: at, end: at }, newText: '\n' + text };
}

function replaceEdit(t: ConfToken, newText: string): ConfEdit {
  return { range: tokenRange(t), newText };
}

const quote = (s: string): string => (/^[\x20-\x7e]*$/.test(s) && !s.includes('"') ? `"${s}"` : JSON.stringify(s));
const shown = (s: string): string => quote(s.length > 60 ? s.slice(0, 57) + '...' : s);

const SIZE = /^(\d+)([A-Za-z]*)$/;
const SIZE_UNIT_KB: Record<string, number> = { '': 1, k: 1, m: 1024, g: 1024 * 1024 };
const INTEGER = /^\d+$/;
const MAIL = /^[^@\s"<>(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// Typographic dashes (U+2010..U+2015, minus sign U+2212) and C0/C1 control characters.
const TYPO_DASH = /[\u2010-\u2015\u2212]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a host name or address is unusable, or undefined when it is fine. */
/** The common case in one scan: dot-separated labels of letters, digits and inner hyphens. */
function isPlainHostName(h: string): boolean {
  const n = h.length;
  if (n === 0 || n > 253) return false;
  let labelStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? h.charCodeAt(i) : 46;
    if (c === 46 /* . */) {
      const len = i - labelStart;
      if (len === 0) return i === n && n > 1; // a single trailing dot is allowed
      if (len > 63 || h.charCodeAt(labelStart) === 45 || h.charCodeAt(i - 1) === 45) return false;
      labelStart = i + 1;
    } else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45)) {
      return false;
    }
  }
  return true;
}

/**
 * `net`, loaded when an address is first checked: loading it (and the stream modules it pulls
 * in) at start-up cost every command about a millisecond, for the few that check addresses.
 */
const net = (): typeof Net => require('net') as typeof Net;

export function hostProblem(host: string): string | undefined {
  if (isPlainHostName(host) && !/^[\d.]+$/.test(host)) return undefined;
  if (/^[\d.]+$/.test(host)) return net().isIPv4(host) ? undefined : 'is not a valid IP address: use four numbers from 0 to 255 separated by dots';
  if (host.includes(':')) return net().isIPv6(host) ? undefined : 'is not a valid IPv6 address';
  if (host.length > 253) return 'is longer than 253 characters';
  const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.');
  for (const label of labels) {
    if (!HOST_LABEL.test(label)) {
      if (label.includes('_')) return 'contains "_", which host names cannot: use letters, digits, dots and hyphens';
      if (label === '') return 'has an empty label (two dots together, or a leading dot)';
      if (label.length > 63) return 'has a label longer than 63 characters';
      return 'is not a valid host name: use letters, digits, dots and hyphens (not at the start or end of a label), or a numeric IP address';
    }
  }
  return undefined;
}

interface Ctx {
  parsed: ParsedShippingConf;
  out: ConfDiagnostic[];
  fs: ConfFileSystem | undefined;
  zeroMaxDataSize: ZeroMaxDataSize;
  peers: ReadonlySet<string> | undefined;
}

function report(ctx: Ctx, code: RuleCode, range: ConfRange, message: string, extra?: { related?: ConfRelated[]; fixes?: ConfFix[] }): void {
  const d: ConfDiagnostic = { code, severity: (ruleSpec(code) as { severity: Severity }).severity, message, range };
  if (extra?.related?.length) d.related = extra.related;
  if (extra?.fixes?.length) d.fixes = extra.fixes;
  ctx.out.push(d);
}

/**
 * Validates a parsed shipping.conf against every rule in rules.ts and returns its diagnostics
 * in line order, with suppression comments and severity overrides applied. Never throws.
 */
export function validateShippingConf(parsed: ParsedShippingConf, options: ValidateOptions = {}): ConfDiagnostic[] {
  const ctx: Ctx = {
    parsed,
    out: [],
    fs: options.fileSystemChecks ? cachedFileSystem(options.fs ?? nodeFileSystem) : undefined,
    zeroMaxDataSize: options.zeroMaxDataSize ?? 'default',
    peers: options.peers ? new Set(options.peers) : undefined,
  };
  for (const e of parsed.entries) checkEntry(ctx, e);
  checkDuplicates(ctx);
  checkClasses(ctx);
  checkRoutes(ctx);
  checkPorts(ctx);
  checkSuppressionCodes(ctx);
  const result = applySuppressions(parsed, ctx.out, options.severities);
  result.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return result;
}

function checkEntry(ctx: Ctx, e: ConfEntry): void {
  if (e.trailingComment) {
    const c = e.trailingComment;
    const text = ctx.parsed.lines[e.line];
    const indent = text.slice(0, e.keyword.start);
    const lastEnd = e.args.length ? e.args[e.args.length - 1].end : e.keyword.end;
    report(ctx, 'trailing-comment', tokenRange(c), `A comment must start its own line: ${shown(c.text)} may be read as arguments; move it above the entry.`, {
      fixes: [
        {
          title: 'Move the comment to its own line above',
          preferred: true,
          edits: [{ range: { start: { line: e.line, character: 0 }, end: { line: e.line, character: text.length } }, newText: `${indent}${c.text}\n${text.slice(0, lastEnd)}` }],
        },
      ],
    });
  }
  const spec = e.spec;
  if (!spec) {
    unknownKeyword(ctx, e);
    return;
  }
  const { min, max } = argCounts(spec);
  const n = e.args.length;
  if (n < min) {
    const missing = spec.args.slice(n).map((a) => a.name).join(' ');
    const many = spec.repeatLast ? ' or more' : '';
    report(ctx, 'missing-argument', entryRange(e), `${spec.name} needs ${min}${many} argument${min === 1 && !many ? '' : 's'} (${synopsis(spec)}); ${n} given: add the ${missing}.`);
    if (spec.name !== 'ROUTE' || n === 0) return;
  }
  if (n > max) {
    const extra = e.args.slice(max);
    const kwIndex = extra.findIndex((t) => keywordSpec(t.text) !== undefined);
    const range = spanRange(extra[0], extra[extra.length - 1]);
    const fixes: ConfFix[] = [];
    let message = `${spec.name} takes ${max} argument${max === 1 ? '' : 's'} (${synopsis(spec)}); remove ${extra.map((t) => shown(t.text)).join(' ')}.`;
    if (kwIndex >= 0) {
      const kw = extra[kwIndex];
      message = `${spec.name} takes ${max} argument${max === 1 ? '' : 's'}, and ${shown(kw.text)} starts another entry: put each entry on its own line.`;
      const before = kwIndex === 0 ? e.args[max - 1] ?? e.keyword : extra[kwIndex - 1];
      fixes.push({
        title: `Put ${kw.text} on its own line`,
        preferred: true,
        edits: [{ range: { start: { line: e.line, character: before.end }, end: { line: e.line, character: kw.start } }, newText: '\n' + ctx.parsed.lines[e.line].slice(0, e.keyword.start) }],
      });
    }
    const lastKept = e.args[max - 1] ?? e.keyword;
    fixes.push({
      title: `Remove the extra argument${extra.length > 1 ? 's' : ''}`,
      edits: [{ range: { start: { line: e.line, character: lastKept.end }, end: { line: e.line, character: extra[extra.length - 1].end } }, newText: '' }],
    });
    report(ctx, 'extra-argument', range, message, { fixes });
  }
  const count = Math.min(n, max);
  for (let i = 0; i < count; i++) {
    const arg = argSpecAt(spec, i);
    if (arg) checkValue(ctx, e, arg.kind, e.args[i]);
  }
}

function unknownKeyword(ctx: Ctx, e: ConfEntry): void {
  const word = e.keyword.text;
  const range = tokenRange(e.keyword);
  if (word.startsWith('/')) {
    // A path at the start of a line: an entry wrapped over two lines, as in the seed's own example.
    const prev = ctx.parsed.entries[ctx.parsed.entries.indexOf(e) - 1];
    const fixes: ConfFix[] = [];
    if (prev && prev.spec && prev.line < e.line && prev.args.length < prev.spec.args.length && !prev.trailingComment) {
      const prevLast = prev.args.length ? prev.args[prev.args.length - 1] : prev.keyword;
      fixes.push({
        title: `Join to the ${prev.spec.name} entry above`,
        preferred: true,
        edits: [{ range: { start: { line: prev.line, character: prevLast.end }, end: { line: e.line, character: e.keyword.start } }, newText: ' ' }],
      });
    }
    report(ctx, 'unknown-keyword', range, `Line starts with the path ${shown(word)} instead of a keyword: an entry must fit on one line; join it to the entry it belongs to.`, { fixes });
    return;
  }
  const glued = /^([A-Z_-]+)[\u2010-\u2015\u2212](.+)$/.exec(word);
  if (glued && keywordSpec(glued[1])) {
    // "EXPIRATION–default" as typeset in the manual: keyword and class joined by a dash.
    const fixedText = `${glued[1]} -${glued[2]}`;
    report(ctx, 'unknown-keyword', range, `Unknown keyword ${shown(word)}: the keyword and the next word are joined by a typographic dash; write ${shown(fixedText)}.`, {
      fixes: [{ title: `Change to ${fixedText}`, preferred: true, edits: [replaceEdit(e.keyword, fixedText)] }],
    });
    return;
  }
  const near = CONTROL.test(word) ? undefined : nearestKeyword(word);
  if (near) {
    report(ctx, 'unknown-keyword', range, `Unknown keyword ${shown(word)}: did you mean ${near}?`, {
      fixes: [{ title: `Change to ${near}`, preferred: true, edits: [replaceEdit(e.keyword, near)] }],
    });
  } else {
    report(ctx, 'unknown-keyword', range, `Unknown keyword ${shown(word)}: an entry starts with MAX-DATA-SIZE, NOTIFICATION-PROGRAM, ADMINISTRATOR, STORAGE-BAY, RETURN-BAY, EXPIRATION, ROUTE, RECEIPT-HANDLER, CLEARCASE_MIN_PORT, CLEARCASE_MAX_PORT or DOWNHOST-TIMEOUT; comments start with #.`);
  }
}

function checkValue(ctx: Ctx, e: ConfEntry, kind: ArgKind, t: ConfToken): void {
  const kw = e.keyword.text;
  switch (kind) {
    case 'size':
      return checkSize(ctx, t);
    case 'program':
      return checkProgram(ctx, kw, t);
    case 'address':
      if (!MAIL.test(t.text) && !USER.test(t.text)) {
        report(ctx, 'administrator-invalid', tokenRange(t), `ADMINISTRATOR ${shown(t.text)} is neither a mail address nor a user name: use name@domain or a local user such as root.`);
      }
      return;
    case 'class':
      return checkClassName(ctx, t);
    case 'bay':
      return checkBay(ctx, kw, e.args[0]?.text ?? '', t);
    case 'days':
      if (!INTEGER.test(t.text)) {
        report(ctx, 'expiration-invalid', tokenRange(t), `EXPIRATION ${shown(t.text)} for class ${shown(e.args[0].text)} is not a number of days: use a whole number, 0 or more (0 = never expire).`);
      }
      return;
    case 'host':
      if (t.text === DEFAULT_ROUTE) {
        report(ctx, 'host-invalid', tokenRange(t), `ROUTE next hop cannot be -default: name the host that forwards the packets, then the destinations (-default among them).`);
        return;
      }
      return checkHost(ctx, t);
    case 'destination':
      if (t.text !== DEFAULT_ROUTE) checkHost(ctx, t);
      return;
    case 'port':
      return checkPort(ctx, kw, t);
    case 'minutes':
      if (!INTEGER.test(t.text)) {
        report(ctx, 'downhost-timeout-invalid', tokenRange(t), `DOWNHOST-TIMEOUT ${shown(t.text)} is not a number of minutes: use a whole number, 0 or more (0 = off).`);
      }
      return;
  }
}

function checkHost(ctx: Ctx, t: ConfToken): void {
  const problem = hostProblem(t.text);
  if (problem) report(ctx, 'host-invalid', tokenRange(t), `ROUTE host ${shown(t.text)} ${problem}.`);
}

function checkSize(ctx: Ctx, t: ConfToken): void {
  const m = SIZE.exec(t.text);
  const range = tokenRange(t);
  if (!m) {
    report(ctx, 'size-syntax', range, `MAX-DATA-SIZE ${shown(t.text)} is not a size: use an integer with an optional k, m or g suffix (no suffix = KB).`);
    return;
  }
  const [, digits, suffix] = m;
  const unit = suffix.length <= 1 ? SIZE_UNIT_KB[suffix.toLowerCase()] : undefined;
  if (unit === undefined) {
    const letter = suffix[0].toLowerCase();
    const fixes: ConfFix[] =
      letter in SIZE_UNIT_KB && letter !== '' ? [{ title: `Change to ${digits}${letter}`, preferred: true, edits: [replaceEdit(t, digits + letter)] }] : [];
    report(ctx, 'size-suffix', range, `MAX-DATA-SIZE ${shown(t.text)} has an unknown suffix ${shown(suffix)}: use k, m or g (no suffix = KB).`, { fixes });
    return;
  }
  const kb = Number(digits) * unit;
  if (kb > MAX_DATA_SIZE_KB) {
    const fixes: ConfFix[] = [];
    const s = suffix.toLowerCase();
    const same = Math.floor(MAX_DATA_SIZE_KB / unit);
    const options = new Set<string>();
    if (same > 0) options.add(`${same}${suffix}`);
    options.add(`${Math.floor(MAX_DATA_SIZE_KB / 1024)}m`);
    options.add(`${MAX_DATA_SIZE_KB}`);
    let first = true;
    for (const o of options) {
      fixes.push({ title: `Change to ${o}${o === String(MAX_DATA_SIZE_KB) ? ' (the maximum, in KB)' : ''}`, preferred: first && s !== 'g', edits: [replaceEdit(t, o)] });
      first = false;
    }
    if (s === 'g' && fixes[1]) fixes[1].preferred = true; // 1g would halve the size; 2047m is what was meant
    report(ctx, 'size-too-large', range, `MAX-DATA-SIZE ${t.text} is over the maximum of ${MAX_DATA_SIZE_KB} KB (2 GB - 1 KB): use ${Math.floor(MAX_DATA_SIZE_KB / 1024)}m or less.`, { fixes });
    return;
  }
  if (kb === 0) {
    const meaning = ctx.zeroMaxDataSize === 'unlimited' ? 'means no limit here (current releases read it as the default, ' + MAX_DATA_SIZE_KB + ' KB)' : `means the default, ${MAX_DATA_SIZE_KB} KB (older releases read it as "no limit")`;
    report(ctx, 'size-zero', range, `MAX-DATA-SIZE 0 ${meaning}: write the size you mean.`, {
      fixes: [{ title: `Change to ${MAX_DATA_SIZE_KB} (the default)`, edits: [replaceEdit(t, String(MAX_DATA_SIZE_KB))] }],
    });
  }
}

function checkProgram(ctx: Ctx, kw: string, t: ConfToken): void {
  const p = t.text;
  if (!path.isAbsolute(p)) {
    report(ctx, 'program-not-absolute', tokenRange(t), `${kw} ${shown(p)} is not an absolute path: write the program's full path, starting with /.`);
    return;
  }
  if (!ctx.fs) return;
  const s = ctx.fs.stat(p);
  if (!s) {
    report(ctx, 'program-missing', tokenRange(t), `${kw} ${shown(p)} does not exist: install the program there or correct the path.`);
  } else if (s.isDirectory) {
    report(ctx, 'program-not-executable', tokenRange(t), `${kw} ${shown(p)} is a directory, not a program: name the program inside it.`);
  } else if (!ctx.fs.canExecute(p)) {
    report(ctx, 'program-not-executable', tokenRange(t), `${kw} ${shown(p)} is not executable: make it executable (chmod +x) or name another program.`);
  }
}

function checkClassName(ctx: Ctx, t: ConfToken): void {
  if (TYPO_DASH.test(t.text)) {
    const fixed = t.text.replace(new RegExp(TYPO_DASH.source, 'g'), '-');
    report(ctx, 'class-name-invalid', tokenRange(t), `Storage class ${shown(t.text)} contains a typographic dash, which makes it another class: write ${shown(fixed)}.`, {
      fixes: [{ title: `Change to ${fixed}`, preferred: true, edits: [replaceEdit(t, fixed)] }],
    });
  } else if (CONTROL.test(t.text)) {
    report(ctx, 'class-name-invalid', tokenRange(t), `Storage class ${shown(t.text)} contains control characters: use letters, digits, -, _ and . only.`);
  }
}

function checkBay(ctx: Ctx, kw: string, cls: string, t: ConfToken): void {
  const p = t.text;
  const what = kw === 'RETURN-BAY' ? 'Return bay' : 'Storage bay';
  if (!path.isAbsolute(p)) {
    report(ctx, 'bay-not-absolute', tokenRange(t), `${kw} ${shown(p)} for class ${shown(cls)} is not an absolute path: write the full path, starting with /.`);
    return;
  }
  if (!ctx.fs) return;
  const fs = ctx.fs;
  const range = tokenRange(t);
  const s = fs.stat(p);
  const subdirs = ['incoming', 'outgoing'].map((d) => path.join(p, d));
  if (!s) {
    report(ctx, 'bay-missing', range, `${what} ${shown(p)} for class ${shown(cls)} does not exist: create it with incoming and outgoing subdirectories.`, {
      fixes: [{ title: `Create ${p} with incoming and outgoing`, preferred: true, edits: [], mkdirs: subdirs }],
    });
    return;
  }
  if (!s.isDirectory) {
    report(ctx, 'bay-missing', range, `${what} ${shown(p)} for class ${shown(cls)} is not a directory: name a directory that holds incoming and outgoing.`);
    return;
  }
  const stats = subdirs.map((d) => fs.stat(d));
  const missing = subdirs.filter((_, i) => !stats[i]?.isDirectory);
  if (missing.length) {
    const names = missing.map((d) => `"${path.basename(d)}"`).join(' or ');
    report(ctx, 'bay-subdir-missing', range, `${what} ${shown(p)} has no ${names} subdirector${missing.length > 1 ? 'ies' : 'y'}: create ${missing.join(' and ')}.`, {
      fixes: [{ title: `Create ${missing.map((d) => path.basename(d)).join(' and ')} in ${p}`, preferred: true, edits: [], mkdirs: missing }],
    });
  } else if (stats[0] && stats[1] && stats[0].dev !== stats[1].dev) {
    report(ctx, 'bay-cross-filesystem', range, `${what} ${shown(p)}: "incoming" and "outgoing" are on different file systems; packets move between them by renaming, so put both on one file system.`);
  }
  const unwritable = [p, ...subdirs.filter((_, i) => stats[i]?.isDirectory)].filter((d) => !fs.canWrite(d));
  if (unwritable.length) {
    report(ctx, 'bay-not-writable', range, `${what} ${shown(p)} is not writable by this user (${unwritable.join(', ')}): fix its permissions; packets take the bay's owner, group and mode.`);
  }
}

function checkPort(ctx: Ctx, kw: string, t: ConfToken): void {
  const r = kw === 'CLEARCASE_MIN_PORT' ? MIN_PORT_RANGE : MAX_PORT_RANGE;
  if (!INTEGER.test(t.text)) {
    report(ctx, 'port-range', tokenRange(t), `${kw} ${shown(t.text)} is not a port number: use ${r.low} through ${r.high}.`);
  } else if (Number(t.text) < r.low || Number(t.text) > r.high) {
    report(ctx, 'port-range', tokenRange(t), `${kw} ${t.text} is out of range: use ${r.low} through ${r.high}.`);
  }
}

const lineNo = (l: number): number => l + 1;

function checkDuplicates(ctx: Ctx): void {
  const seen = new Map<string, ConfEntry>();
  for (const e of ctx.parsed.entries) {
    const spec = e.spec;
    // A repeated ROUTE is reported per destination by route-duplicate-destination.
    if (!spec || e.args.length < spec.args.length || spec.name === 'ROUTE') continue;
    let key: string;
    let what: string;
    if (spec.multiplicity === 'single') {
      key = spec.name;
      what = `${spec.name} is given twice`;
    } else if (spec.multiplicity === 'perClass') {
      key = `${spec.name}\0${e.args[0].text}`;
      what = `${spec.name} for class ${shown(e.args[0].text)} is given twice`;
    } else {
      key = [spec.name, ...e.args.map((a) => a.text)].join('\0');
      what = `This ${spec.name} entry repeats the one`;
    }
    const first = seen.get(key);
    if (!first) {
      seen.set(key, e);
      continue;
    }
    const msg = spec.multiplicity === 'many' ? `${what} on line ${lineNo(first.line)}: remove it.` : `${what} (first on line ${lineNo(first.line)}): keep one.`;
    report(ctx, 'duplicate-entry', entryRange(e), msg, {
      related: [{ range: entryRange(first), message: 'First given here' }],
      fixes: [{ title: `Delete this ${spec.name} line`, preferred: spec.multiplicity === 'many', edits: [deleteLineEdit(ctx.parsed, e.line)] }],
    });
  }
}

interface ClassUse {
  token: ConfToken;
  keyword: string;
}

function checkClasses(ctx: Ctx): void {
  const uses: ClassUse[] = [];
  const storageClasses = new Set<string>();
  const bayClasses: string[] = [];
  const bayClassSet = new Set<string>();
  const expirationClasses = new Set<string>();
  for (const e of ctx.parsed.entries) {
    const spec = e.spec;
    if (!spec || spec.args[0]?.kind !== 'class' || e.args.length < 1) continue;
    const t = e.args[0];
    uses.push({ token: t, keyword: spec.name });
    if (e.args.length < 2) continue;
    if (spec.name === 'STORAGE-BAY') storageClasses.add(t.text);
    if (spec.name === 'EXPIRATION') expirationClasses.add(t.text);
    if ((spec.name === 'STORAGE-BAY' || spec.name === 'RETURN-BAY') && !bayClassSet.has(t.text)) {
      bayClassSet.add(t.text);
      bayClasses.push(t.text);
      if (bayClasses.length > MAX_STORAGE_CLASSES) {
        report(ctx, 'too-many-classes', tokenRange(t), `Storage class ${shown(t.text)} is class number ${bayClasses.length}: at most ${MAX_STORAGE_CLASSES} storage classes are allowed; let kinds of packets share a class.`);
      }
    }
  }
  const firstSpelling = new Map<string, ClassUse>();
  const spellings = new Map<string, Set<string>>();
  for (const u of uses) {
    const lower = u.token.text.toLowerCase();
    if (!firstSpelling.has(lower)) firstSpelling.set(lower, u);
    let s = spellings.get(lower);
    if (!s) spellings.set(lower, (s = new Set()));
    s.add(u.token.text);
  }
  for (const u of uses) {
    const lower = u.token.text.toLowerCase();
    const first = firstSpelling.get(lower) as ClassUse;
    if (first.token.text !== u.token.text) {
      report(ctx, 'class-case-conflict', tokenRange(u.token), `Storage class ${shown(u.token.text)} differs from ${shown(first.token.text)} (line ${lineNo(first.token.line)}) only in case: class names are case-sensitive, so these are two classes; use one spelling.`, {
        related: [{ range: tokenRange(first.token), message: `Spelt ${shown(first.token.text)} here` }],
        fixes: [{ title: `Change to ${first.token.text}`, preferred: true, edits: [replaceEdit(u.token, first.token.text)] }],
      });
      continue;
    }
    if (u.keyword !== 'STORAGE-BAY' && u.token.text !== DEFAULT_CLASS && !storageClasses.has(u.token.text) && !TYPO_DASH.test(u.token.text)) {
      const variants = [...(spellings.get(lower) as Set<string>)].some((v) => storageClasses.has(v));
      if (!variants) {
        report(ctx, 'class-without-bay', tokenRange(u.token), `${u.keyword} for class ${shown(u.token.text)} has no effect: the class has no STORAGE-BAY; add one or correct the class name.`);
      }
    }
  }
  if (storageClasses.has(CQ_DEFAULT_CLASS) && !expirationClasses.has(CQ_DEFAULT_CLASS)) {
    const bays = ctx.parsed.entries.filter((e) => e.spec?.name === 'STORAGE-BAY' && e.args[0]?.text === CQ_DEFAULT_CLASS);
    const lastBay = bays[bays.length - 1];
    const line = `EXPIRATION ${CQ_DEFAULT_CLASS} ${DEFAULT_EXPIRATION_DAYS}`;
    report(ctx, 'expiration-required', tokenRange(bays[0].args[0]), `Class cq_default has no EXPIRATION and, unlike -default, no default period: add "${line}".`, {
      fixes: [{ title: `Add "${line}"`, preferred: true, edits: [insertLineEdit(ctx.parsed, lastBay.line, line)] }],
    });
  }
}

interface RouteEdge {
  hop: string;
  token: ConfToken;
  entry: ConfEntry;
}

function checkRoutes(ctx: Ctx): void {
  // Destination -> its token: the entry (and so the hop) is found from the token's line only
  // when needed, so a hub's thousands of destinations cost no extra objects.
  const routed = new Map<string, ConfToken>();
  const hops = new Set<string>();
  let defaultEdge: RouteEdge | undefined;
  const edgeOf = (t: ConfToken): RouteEdge => {
    const entry = entryAtLine(ctx.parsed, t.line) as ConfEntry;
    return { hop: entry.args[0].text, token: t, entry };
  };
  for (const e of ctx.parsed.entries) {
    if (e.spec?.name !== 'ROUTE' || e.args.length < 2) continue;
    const hop = e.args[0];
    if (hop.text === DEFAULT_ROUTE) continue;
    if (ctx.peers && !ctx.peers.has(hop.text) && !hops.has(hop.text) && hostProblem(hop.text) === undefined) {
      report(ctx, 'route-unknown-peer', tokenRange(hop), `ROUTE next hop ${shown(hop.text)} is not a peer of this host (site.ini): the shipping server delivers only to peers; add it with multitool addpeer or route through a peer.`);
    }
    hops.add(hop.text);
    for (let k = 1; k < e.args.length; k++) {
      const d = e.args[k];
      if (d.text === hop.text) {
        report(ctx, 'route-self', tokenRange(d), `ROUTE sends packets for ${shown(d.text)} to ${shown(hop.text)} itself: a next hop cannot be one of its own destinations; remove it.`, {
          fixes: e.args.length > 2 ? [removeDestinationFix(e, d, `Remove ${d.text} from the destinations`)] : [],
        });
        continue;
      }
      if (d.text === DEFAULT_ROUTE) {
        if (defaultEdge) {
          report(ctx, 'route-multiple-default', tokenRange(d), `A -default route is already given on line ${lineNo(defaultEdge.entry.line)} (via ${shown(defaultEdge.hop)}): only one ROUTE may use -default.`, {
            related: [{ range: tokenRange(defaultEdge.token), message: 'The first -default route' }],
            fixes: e.args.length > 2 ? [removeDestinationFix(e, d, 'Remove this -default')] : [{ title: 'Delete this ROUTE line', edits: [deleteLineEdit(ctx.parsed, e.line)] }],
          });
        } else {
          defaultEdge = { hop: hop.text, token: d, entry: e };
        }
        continue;
      }
      const priorToken = routed.get(d.text);
      if (priorToken) {
        const prior = edgeOf(priorToken);
        const where = prior.entry === e ? 'earlier in this entry' : `through ${shown(prior.hop)} on line ${lineNo(prior.entry.line)}`;
        report(ctx, 'route-duplicate-destination', tokenRange(d), `Host ${shown(d.text)} is already routed ${where}: give each destination one route.`, {
          related: prior.entry === e ? undefined : [{ range: tokenRange(prior.token), message: 'First routed here' }],
          fixes: e.args.length > 2 ? [removeDestinationFix(e, d, `Remove ${d.text} from this ROUTE`)] : [{ title: 'Delete this ROUTE line', edits: [deleteLineEdit(ctx.parsed, e.line)] }],
        });
        continue;
      }
      routed.set(d.text, d);
    }
  }
  // Cycles: follow "to reach X, hand it to route(X)" until a host is reached directly or a host repeats.
  const next = (x: string): RouteEdge | undefined => {
    const t = routed.get(x);
    const edge = t ? edgeOf(t) : defaultEdge && defaultEdge.hop !== x ? defaultEdge : undefined;
    return edge && edge.hop !== x ? edge : undefined;
  };
  const state = new Map<string, number>(); // 1 = on the current walk, 2 = finished
  // Every host on a cycle is the next hop of the host before it, so walks need only start at hops.
  const starts = hops;
  if (defaultEdge) starts.add(defaultEdge.hop);
  for (const start of starts) {
    if (state.has(start)) continue;
    const walk: string[] = [];
    let x: string | undefined = start;
    while (x !== undefined && !state.has(x)) {
      state.set(x, 1);
      walk.push(x);
      x = next(x)?.hop;
    }
    if (x !== undefined && state.get(x) === 1) {
      const cycle = walk.slice(walk.indexOf(x));
      const edges = cycle.map((h) => ({ host: h, edge: next(h) as RouteEdge }));
      const closing = edges.reduce((a, b) => (b.edge.entry.line > a.edge.entry.line ? b : a));
      // Start the story at the entry that closes the cycle, whatever host the walk began at.
      const from = edges.indexOf(closing);
      const ordered = [...edges.slice(from), ...edges.slice(0, from)];
      const chain = ordered.map((c) => `packets for ${shown(c.host)} go to ${shown(c.edge.hop)}`).join(', ');
      const token = closing.edge.token;
      report(ctx, 'route-cycle', tokenRange(token), `ROUTE entries form a cycle: ${chain}; such packets never arrive. Route one of these hosts directly.`, {
        related: edges.filter((c) => c !== closing).map((c) => ({ range: tokenRange(c.edge.token), message: `${shown(c.host)} routed to ${shown(c.edge.hop)}` })),
      });
    }
    for (const w of walk) state.set(w, 2);
  }
}

function removeDestinationFix(e: ConfEntry, t: ConfToken, title: string): ConfFix {
  return { title, preferred: true, edits: [removeArgEdit(e, t)] };
}

function removeArgEdit(e: ConfEntry, t: ConfToken): ConfEdit {
  const i = e.args.indexOf(t);
  const prev = i > 0 ? e.args[i - 1] : e.keyword;
  return { range: { start: { line: e.line, character: prev.end }, end: { line: e.line, character: t.end } }, newText: '' };
}

function checkPorts(ctx: Ctx): void {
  let min: { entry: ConfEntry; value: number } | undefined;
  let max: { entry: ConfEntry; value: number } | undefined;
  let minSeen: ConfEntry | undefined;
  let maxSeen: ConfEntry | undefined;
  for (const e of ctx.parsed.entries) {
    const name = e.spec?.name;
    // Two entries on one line (reported as extra-argument) still count as both being set.
    if (e.args.some((a) => a.text === 'CLEARCASE_MIN_PORT')) minSeen ??= e;
    if (e.args.some((a) => a.text === 'CLEARCASE_MAX_PORT')) maxSeen ??= e;
    if (name !== 'CLEARCASE_MIN_PORT' && name !== 'CLEARCASE_MAX_PORT') continue;
    if (name === 'CLEARCASE_MIN_PORT') minSeen ??= e;
    else maxSeen ??= e;
    if (e.args.length < 1 || !INTEGER.test(e.args[0].text)) continue;
    const v = Number(e.args[0].text);
    const r = name === 'CLEARCASE_MIN_PORT' ? MIN_PORT_RANGE : MAX_PORT_RANGE;
    if (v < r.low || v > r.high) continue;
    if (name === 'CLEARCASE_MIN_PORT' && !min) min = { entry: e, value: v };
    if (name === 'CLEARCASE_MAX_PORT' && !max) max = { entry: e, value: v };
    if (v < DYNAMIC_PORT_RANGE.low) {
      report(ctx, 'port-not-dynamic', tokenRange(e.args[0]), `${name} ${v} is outside the Dynamic/Private range ${DYNAMIC_PORT_RANGE.low}–${DYNAMIC_PORT_RANGE.high}, the recommended range for the shipping server.`);
    }
  }
  if (min && max && max.value <= min.value) {
    const minTok = min.entry.args[0];
    const maxTok = max.entry.args[0];
    const swappable = min.value !== max.value && max.value >= MIN_PORT_RANGE.low && min.value <= MAX_PORT_RANGE.high;
    report(ctx, 'port-order', tokenRange(maxTok), `CLEARCASE_MAX_PORT ${max.value} must be greater than CLEARCASE_MIN_PORT ${min.value} (line ${lineNo(min.entry.line)})${swappable ? ': swap them' : ''}.`, {
      related: [{ range: tokenRange(minTok), message: 'CLEARCASE_MIN_PORT is set here' }],
      fixes: swappable ? [{ title: 'Swap CLEARCASE_MIN_PORT and CLEARCASE_MAX_PORT', preferred: true, edits: [replaceEdit(minTok, maxTok.text), replaceEdit(maxTok, minTok.text)] }] : [],
    });
  }
  if (minSeen && !maxSeen) {
    const v = min ? Math.max(min.value + 1, DYNAMIC_PORT_RANGE.high) : DYNAMIC_PORT_RANGE.high;
    report(ctx, 'port-unpaired', entryRange(minSeen), 'CLEARCASE_MIN_PORT is set without CLEARCASE_MAX_PORT: set both to give the shipping server its port range.', {
      fixes: [{ title: `Add CLEARCASE_MAX_PORT ${v}`, preferred: true, edits: [insertLineEdit(ctx.parsed, minSeen.line, `CLEARCASE_MAX_PORT ${v}`)] }],
    });
  }
  if (maxSeen && !minSeen) {
    const v = max && max.value <= DYNAMIC_PORT_RANGE.low ? MIN_PORT_RANGE.low : DYNAMIC_PORT_RANGE.low;
    report(ctx, 'port-unpaired', entryRange(maxSeen), 'CLEARCASE_MAX_PORT is set without CLEARCASE_MIN_PORT: set both to give the shipping server its port range.', {
      fixes: [{ title: `Add CLEARCASE_MIN_PORT ${v}`, preferred: true, edits: [insertLineEdit(ctx.parsed, maxSeen.line - 1, `CLEARCASE_MIN_PORT ${v}`)] }],
    });
  }
}

/** The rule code nearest to a misspelt one, when plausible. */
export function nearestRuleCode(typed: string): RuleCode | undefined {
  let best: RuleCode | undefined;
  let bestD = 8; // beyond any plausible typo of a code (see nearestKeyword)
  for (const c of RULE_CODES) {
    const d = editDistance(typed.toLowerCase(), c, bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 4)) ? best : undefined;
}

function checkSuppressionCodes(ctx: Ctx): void {
  for (const s of ctx.parsed.suppressions) {
    for (const c of s.codes) {
      if (isRuleCode(c.text)) continue;
      const near = nearestRuleCode(c.text);
      report(ctx, 'unknown-suppression-code', tokenRange(c), `Unknown code ${shown(c.text)} in a suppression comment${near ? `: did you mean ${near}?` : ': see the codes in the shipping.conf rule pages.'}`, {
        fixes: near ? [{ title: `Change to ${near}`, preferred: true, edits: [replaceEdit(c, near)] }] : [],
      });
    }
  }
}

function applySuppressions(parsed: ParsedShippingConf, diags: ConfDiagnostic[], severities: ValidateOptions['severities']): ConfDiagnostic[] {
  let fileAll = false;
  const fileCodes = new Set<string>();
  const lineAll = new Set<number>();
  const lineCodes = new Map<number, Set<string>>();
  for (const s of parsed.suppressions) {
    if (s.scope === 'file') {
      if (s.codes.length === 0) fileAll = true;
      for (const c of s.codes) fileCodes.add(c.text);
    } else if (s.targetLine !== undefined) {
      if (s.codes.length === 0) lineAll.add(s.targetLine);
      let set = lineCodes.get(s.targetLine);
      if (!set) lineCodes.set(s.targetLine, (set = new Set()));
      for (const c of s.codes) set.add(c.text);
    }
  }
  const out: ConfDiagnostic[] = [];
  for (const d of diags) {
    const line = d.range.start.line;
    if (d.code !== 'unknown-suppression-code') {
      if (fileAll || fileCodes.has(d.code) || lineAll.has(line) || lineCodes.get(line)?.has(d.code)) continue;
    }
    const override = severities?.[d.code];
    if (override === 'off') continue;
    if (override) d.severity = override;
    out.push(d);
  }
  return out;
}

/** An edit adding `code` to a suppression comment above the line of a diagnostic (or extending the one there). */
export function suppressLineEdit(parsed: ParsedShippingConf, line: number, code: string): ConfEdit {
  const existing = parsed.suppressions.find((s) => s.scope === 'next-line' && s.targetLine === line && s.line === line - 1 && s.codes.length > 0);
  if (existing) {
    const last = existing.codes[existing.codes.length - 1];
    return { range: { start: { line: last.line, character: last.end }, end: { line: last.line, character: last.end } }, newText: `, ${code}` };
  }
  const text = parsed.lines[line] ?? '';
  const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}# shipping-conf-disable-next-line ${code}\n` };
}

/** Edits that add a file-wide suppression comment for `code` at the top of the file. */
export function suppressFileEdit(code: string): ConfEdit {
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `# shipping-conf-disable ${code}\n` };
}
