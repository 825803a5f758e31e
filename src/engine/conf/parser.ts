import { keywordSpec, type KeywordSpec } from './keywords';

/**
 * Error-tolerant shipping.conf parser. Every line parses to something (blank, comment or
 * entry), whatever bytes it holds, so the validator and the editor features always have a
 * model to work on while the file is half typed. Positions are 0-based lines and UTF-16
 * columns, the units LSP uses, so the server maps them one to one.
 */

export interface ConfToken {
  text: string;
  line: number;
  /** Column of the first character. */
  start: number;
  /** Column after the last character. */
  end: number;
}

export interface ConfEntry {
  line: number;
  keyword: ConfToken;
  /** Words after the keyword, up to a trailing comment. */
  args: ConfToken[];
  /** A `#` word after the keyword and everything after it: not part of the format (see rule trailing-comment). */
  trailingComment?: ConfToken;
  /** The keyword's spec, or undefined for an unknown keyword. */
  spec: KeywordSpec | undefined;
}

export interface ConfComment {
  line: number;
  /** The comment from `#` to the end of the line. */
  token: ConfToken;
}

export type SuppressionScope = 'file' | 'next-line';

export interface ConfSuppression {
  /** The comment line holding the directive. */
  line: number;
  scope: SuppressionScope;
  /** Codes named in the directive; empty means every code. */
  codes: ConfToken[];
  /** For next-line: the line it silences (the next line that is neither blank nor a comment). */
  targetLine?: number;
}

export interface ParsedShippingConf {
  /** The text split into lines (without line terminators). */
  lines: string[];
  entries: ConfEntry[];
  comments: ConfComment[];
  suppressions: ConfSuppression[];
}

/** `# shipping-conf-disable CODE...` silences codes in the whole file. */
export const DISABLE_FILE_DIRECTIVE = 'shipping-conf-disable';
/** `# shipping-conf-disable-next-line CODE...` silences codes on the next entry line. */
export const DISABLE_NEXT_LINE_DIRECTIVE = 'shipping-conf-disable-next-line';

/** Splits on \r\n, \n and \r, as LSP and VS Code do. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function isSpace(c: number): boolean {
  // space, tab, vertical tab, form feed: the separators a C `isspace` scanner would skip
  return c === 32 || c === 9 || c === 11 || c === 12;
}

/** Splits one line into whitespace-separated words with their columns. */
export function tokenizeLine(text: string, line: number): ConfToken[] {
  const tokens: ConfToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    tokens.push({ text: text.slice(start, i), line, start, end: i });
  }
  return tokens;
}

/** Parses shipping.conf text. Never throws. */
export function parseShippingConf(text: string): ParsedShippingConf {
  const lines = splitLines(text);
  const parsed: ParsedShippingConf = { lines, entries: [], comments: [], suppressions: [] };
  parseLines(lines, 0, lines.length - 1, parsed);
  linkSuppressions(parsed);
  return parsed;
}

/**
 * Parses new text of a document whose previous parse is `prev`, reusing the parse of every
 * line outside the changed region when the edit kept the number of lines (typing within
 * lines, the common case); anything else is parsed afresh. The result equals
 * parseShippingConf(text); `prev` is left untouched.
 */
export function reparseShippingConf(prev: ParsedShippingConf, text: string): ParsedShippingConf {
  const lines = splitLines(text);
  const n = lines.length;
  if (n !== prev.lines.length) {
    const parsed: ParsedShippingConf = { lines, entries: [], comments: [], suppressions: [] };
    parseLines(lines, 0, n - 1, parsed);
    linkSuppressions(parsed);
    return parsed;
  }
  let first = 0;
  while (first < n && lines[first] === prev.lines[first]) first++;
  if (first === n) return { ...prev, lines };
  let last = n - 1;
  while (last > first && lines[last] === prev.lines[last]) last--;
  const mid: ParsedShippingConf = { lines, entries: [], comments: [], suppressions: [] };
  parseLines(lines, first, last, mid);
  const outside = <T extends { line: number }>(xs: T[]): [T[], T[]] => [xs.filter((x) => x.line < first), xs.filter((x) => x.line > last)];
  const [eb, ea] = outside(prev.entries);
  const [cb, ca] = outside(prev.comments);
  const [sb, sa] = outside(prev.suppressions);
  const parsed: ParsedShippingConf = {
    lines,
    entries: [...eb, ...mid.entries, ...ea],
    comments: [...cb, ...mid.comments, ...ca],
    // Copies: the target line of a kept directive may change, and prev must stay as it was.
    suppressions: [...sb, ...mid.suppressions, ...sa].map((x) => ({ ...x })),
  };
  linkSuppressions(parsed);
  return parsed;
}

/** Points each next-line directive at the next line holding an entry. */
function linkSuppressions(parsed: ParsedShippingConf): void {
  const entries = parsed.entries;
  for (const s of parsed.suppressions) {
    if (s.scope !== 'next-line') continue;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid].line <= s.line) lo = mid + 1;
      else hi = mid;
    }
    s.targetLine = lo < entries.length ? entries[lo].line : undefined;
  }
}

/** Parses lines from..to (inclusive) into `out`, in line order. */
function parseLines(lines: string[], from: number, to: number, out: ParsedShippingConf): void {
  const { entries, comments, suppressions } = out;
  // One scan per line, no intermediate token arrays: this runs on every keystroke (after the
  // pause) over files of tens of thousands of lines.
  for (let line = from; line <= to; line++) {
    const t = lines[line];
    const n = t.length;
    let i = 0;
    while (i < n && isSpace(t.charCodeAt(i))) i++;
    if (i >= n) continue;
    if (t.charCodeAt(i) === 35 /* # */) {
      const token: ConfToken = { text: i === 0 ? t : t.slice(i), line, start: i, end: n };
      comments.push({ line, token });
      if (t.includes(DISABLE_FILE_DIRECTIVE)) {
        const directive = parseDirective(tokenizeLine(t, line), line);
        if (directive) suppressions.push(directive);
      }
      continue;
    }
    let start = i;
    while (i < n && !isSpace(t.charCodeAt(i))) i++;
    const keyword: ConfToken = { text: t.slice(start, i), line, start, end: i };
    const args: ConfToken[] = [];
    let trailingComment: ConfToken | undefined;
    for (;;) {
      while (i < n && isSpace(t.charCodeAt(i))) i++;
      if (i >= n) break;
      if (t.charCodeAt(i) === 35) {
        trailingComment = { text: t.slice(i), line, start: i, end: n };
        comments.push({ line, token: trailingComment });
        break;
      }
      start = i;
      while (i < n && !isSpace(t.charCodeAt(i))) i++;
      args.push({ text: t.slice(start, i), line, start, end: i });
    }
    entries.push({ line, keyword, args, trailingComment, spec: keywordSpec(keyword.text) });
  }
}

function parseDirective(tokens: ConfToken[], line: number): ConfSuppression | undefined {
  // Either "# directive CODES" or "#directive CODES".
  let i = 0;
  let word = tokens[0].text.slice(1);
  if (word === '') {
    i = 1;
    word = tokens[1]?.text ?? '';
  }
  let scope: SuppressionScope;
  if (word === DISABLE_FILE_DIRECTIVE) scope = 'file';
  else if (word === DISABLE_NEXT_LINE_DIRECTIVE) scope = 'next-line';
  else return undefined;
  const codes: ConfToken[] = [];
  for (const t of tokens.slice(i + 1)) {
    if (t.text === '--') break; // "-- reason" explains the suppression
    let offset = 0;
    for (const part of t.text.split(',')) {
      if (part) codes.push({ text: part, line, start: t.start + offset, end: t.start + offset + part.length });
      offset += part.length + 1;
    }
  }
  return { line, scope, codes };
}

/** The entry on a line, if that line holds one (binary search: entries are in line order). */
export function entryAtLine(parsed: ParsedShippingConf, line: number): ConfEntry | undefined {
  const e = parsed.entries;
  let lo = 0;
  let hi = e.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (e[mid].line === line) return e[mid];
    if (e[mid].line < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
