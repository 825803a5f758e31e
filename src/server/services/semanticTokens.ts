import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import { argSpecAt, CQ_DEFAULT_CLASS, DEFAULT_CLASS, DEFAULT_ROUTE, type ArgKind, type ConfToken } from '../../engine/conf';
import type { ConfDocument } from '../document';

export const TOKEN_TYPES = ['keyword', 'class', 'string', 'number', 'comment', 'namespace', 'variable', 'macro', 'enumMember'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;
export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

type TokenType = (typeof TOKEN_TYPES)[number];
const T = (t: TokenType): number => TOKEN_TYPES.indexOf(t);
const DECLARATION = 1;
const DEFAULT_LIBRARY = 2;

interface Raw {
  line: number;
  start: number;
  length: number;
  type: number;
  mods: number;
}

function valueType(kind: ArgKind, text: string): { type: number; mods: number } | undefined {
  switch (kind) {
    case 'size':
    case 'port':
    case 'days':
    case 'minutes':
      return /^\d/.test(text) ? { type: T('number'), mods: 0 } : undefined;
    case 'bay':
    case 'program':
      return { type: T('string'), mods: 0 };
    case 'class':
      return { type: T('class'), mods: text === DEFAULT_CLASS || text === CQ_DEFAULT_CLASS ? DEFAULT_LIBRARY : 0 };
    case 'host':
      return { type: T('namespace'), mods: 0 };
    case 'destination':
      return text === DEFAULT_ROUTE ? { type: T('keyword'), mods: DEFAULT_LIBRARY } : { type: T('namespace'), mods: 0 };
    case 'address':
      return { type: T('variable'), mods: 0 };
  }
}

/**
 * Semantic tokens: keywords, storage classes (declared by STORAGE-BAY; -default and
 * cq_default marked as built in), paths, numbers, hosts, addresses, comments, and the
 * directive and codes of suppression comments. Unknown words get no token, so they stand out.
 */
export function computeSemanticTokens(doc: ConfDocument): SemanticTokens {
  const raw: Raw[] = [];
  const push = (t: ConfToken, type: number, mods: number): void => {
    raw.push({ line: t.line, start: t.start, length: t.end - t.start, type, mods });
  };
  const suppressionByLine = new Map(doc.parsed.suppressions.map((s) => [s.line, s]));
  let ci = 0;
  const comments = doc.parsed.comments;
  const flushComments = (uptoLine: number): void => {
    while (ci < comments.length && comments[ci].line <= uptoLine) {
      const c = comments[ci++];
      const s = suppressionByLine.get(c.line);
      if (s && c.token.start === /^\s*/.exec(doc.parsed.lines[c.line])?.[0].length) {
        const lineText = doc.parsed.lines[c.line];
        const firstCode = s.codes[0]?.start ?? lineText.length;
        const directiveEnd = lineText.slice(0, firstCode).trimEnd().length;
        raw.push({ line: c.line, start: c.token.start, length: directiveEnd - c.token.start, type: T('macro'), mods: 0 });
        for (const code of s.codes) push(code, T('enumMember'), 0);
      } else {
        push(c.token, T('comment'), 0);
      }
    }
  };
  for (const e of doc.parsed.entries) {
    flushComments(e.line - 1);
    if (e.spec) {
      push(e.keyword, T('keyword'), 0);
      e.args.forEach((a, i) => {
        const spec = argSpecAt(e.spec!, i);
        const v = spec && valueType(spec.kind, a.text);
        if (v) push(a, v.type, v.mods | (spec!.kind === 'class' && e.spec!.name === 'STORAGE-BAY' ? DECLARATION : 0));
      });
    }
    flushComments(e.line);
  }
  flushComments(Infinity);
  const data: number[] = [];
  let prevLine = 0;
  let prevStart = 0;
  for (const r of raw) {
    if (r.length <= 0) continue;
    const dl = r.line - prevLine;
    data.push(dl, dl === 0 ? r.start - prevStart : r.start, r.length, r.type, r.mods);
    prevLine = r.line;
    prevStart = r.start;
  }
  return { data };
}
