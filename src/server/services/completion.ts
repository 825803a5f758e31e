import * as path from 'path';
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Range,
} from 'vscode-languageserver';
import {
  argSpecAt,
  CQ_DEFAULT_CLASS,
  DEFAULT_CLASS,
  DEFAULT_EXPIRATION_DAYS,
  DEFAULT_ROUTE,
  DISABLE_FILE_DIRECTIVE,
  DISABLE_NEXT_LINE_DIRECTIVE,
  DYNAMIC_PORT_RANGE,
  KEYWORDS,
  RULES,
  synopsis,
  type ArgKind,
  type KeywordSpec,
} from '../../engine/conf';
import { MAX_DATA_SIZE_KB } from '../../engine/size';
import { modelOf, tokenAt, type ConfDocument, type Position, type ServiceContext } from '../document';
import { classDoc, keywordDoc } from './hover';

export interface CompletionOptions {
  snippets: boolean;
}

/** A directory entry, for path completion. */
export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

export interface CompletionContext extends ServiceContext {
  /** Lists a directory for path completion; absent when the disk may not be read. */
  listDir?(dir: string): DirEntry[];
}

const MAX_PATH_ITEMS = 200;
const MAX_HOST_ITEMS = 100;

function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

export function keywordItem(k: KeywordSpec, replace: Range, withArgs: boolean, opts: CompletionOptions): CompletionItem {
  const snippet = withArgs && opts.snippets;
  return {
    label: k.name,
    kind: CompletionItemKind.Keyword,
    detail: synopsis(k),
    documentation: { kind: MarkupKind.Markdown, value: keywordDoc(k) },
    textEdit: { range: replace, newText: snippet ? k.snippet : withArgs ? k.name + ' ' : k.name },
    insertTextFormat: snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    sortText: String(KEYWORDS.indexOf(k)).padStart(2, '0'),
  };
}

/** Completion at a position of a shipping.conf. */
export function computeCompletion(doc: ConfDocument, pos: Position, ctx: CompletionContext, opts: CompletionOptions = { snippets: true }): CompletionList {
  const items: CompletionItem[] = [];
  const list: CompletionList = { isIncomplete: false, items };
  const parsed = doc.parsed;
  const lineText = parsed.lines[pos.line] ?? '';
  const at = tokenAt(parsed, pos);
  if (at.comment) {
    directiveItems(lineText, pos, items);
    return list;
  }
  if (!at.entry || at.index === -1) {
    // Start of a line: keywords. With arguments already typed, only the keyword is replaced.
    const tok = at.token;
    const replace = tok ? range(pos.line, tok.start, tok.end) : range(pos.line, pos.character, pos.character);
    const withArgs = !at.entry || at.entry.args.length === 0;
    for (const k of KEYWORDS) items.push(keywordItem(k, replace, withArgs, opts));
    return list;
  }
  const entry = at.entry;
  if (!entry.spec) return list;
  const index = at.index ?? (at.nextIndex as number);
  const arg = argSpecAt(entry.spec, index);
  if (!arg) return list;
  const tok = at.token;
  const replace = tok ? range(pos.line, tok.start, tok.end) : range(pos.line, pos.character, pos.character);
  const typed = tok ? tok.text.slice(0, pos.character - tok.start) : '';
  valueItems(doc, ctx, entry.spec, arg.kind, typed, replace, pos, list);
  return list;
}

function directiveItems(lineText: string, pos: Position, items: CompletionItem[]): void {
  const before = lineText.slice(0, pos.character);
  const codesMatch = new RegExp(`^\\s*#\\s*(${DISABLE_NEXT_LINE_DIRECTIVE}|${DISABLE_FILE_DIRECTIVE})\\s+(?:[\\w-]+[\\s,]+)*([\\w-]*)$`).exec(before);
  if (codesMatch) {
    const start = pos.character - codesMatch[2].length;
    for (const r of RULES) {
      items.push({
        label: r.code,
        kind: CompletionItemKind.EnumMember,
        detail: r.title,
        documentation: { kind: MarkupKind.Markdown, value: r.doc },
        textEdit: { range: range(pos.line, start, pos.character), newText: r.code },
      });
    }
    return;
  }
  const word = /^\s*#\s*([\w-]*)$/.exec(before);
  if (!word) return;
  const start = pos.character - word[1].length;
  items.push(
    {
      label: DISABLE_NEXT_LINE_DIRECTIVE,
      kind: CompletionItemKind.Snippet,
      detail: 'Silence codes on the next entry line',
      documentation: { kind: MarkupKind.Markdown, value: 'Diagnostics with the listed codes (separated by spaces or commas) are not reported on the next line that holds an entry. Without codes, all are silenced.' },
      textEdit: { range: range(pos.line, start, pos.character), newText: DISABLE_NEXT_LINE_DIRECTIVE + ' ' },
    },
    {
      label: DISABLE_FILE_DIRECTIVE,
      kind: CompletionItemKind.Snippet,
      detail: 'Silence codes in the whole file',
      documentation: { kind: MarkupKind.Markdown, value: 'Diagnostics with the listed codes are not reported anywhere in this file. Without codes, all are silenced.' },
      textEdit: { range: range(pos.line, start, pos.character), newText: DISABLE_FILE_DIRECTIVE + ' ' },
    },
  );
}

function simple(label: string, kind: CompletionItemKind, replace: Range, detail: string, doc?: string, sort?: string): CompletionItem {
  const item: CompletionItem = { label, kind, detail, textEdit: { range: replace, newText: label } };
  if (doc) item.documentation = { kind: MarkupKind.Markdown, value: doc };
  if (sort) item.sortText = sort;
  return item;
}

function valueItems(
  doc: ConfDocument,
  ctx: CompletionContext,
  spec: KeywordSpec,
  kind: ArgKind,
  typed: string,
  replace: Range,
  pos: Position,
  list: CompletionList,
): void {
  const items = list.items;
  switch (kind) {
    case 'class': {
      const conf = modelOf(doc, ctx);
      const names = new Set<string>([DEFAULT_CLASS, CQ_DEFAULT_CLASS]);
      for (const e of doc.parsed.entries) {
        if (e.spec?.args[0]?.kind === 'class' && e.args[0] && e.args[0].line !== pos.line) names.add(e.args[0].text);
      }
      let i = 0;
      for (const n of names) {
        const c = conf.classes.get(n);
        const detail = n === DEFAULT_CLASS ? 'the default storage class' : n === CQ_DEFAULT_CLASS ? 'multiutil\'s default storage class' : 'storage class';
        items.push(simple(n, CompletionItemKind.Class, replace, detail, classDoc(n, c), String(i++).padStart(3, '0')));
      }
      return;
    }
    case 'bay':
    case 'program':
      pathItems(ctx, kind, typed, replace, pos, items);
      return;
    case 'host':
    case 'destination': {
      const seen = new Set<string>();
      for (const h of ctx.hosts) {
        if (seen.has(h.name)) continue;
        seen.add(h.name);
        const where = [h.address, h.port].filter((x) => x !== undefined).join(':');
        items.push(simple(h.name, CompletionItemKind.Reference, replace, h.self ? 'this host (site.ini)' : `peer in site.ini${where ? ` at ${where}` : ''}`, undefined, '0' + h.name));
      }
      // A hub's file can name thousands of hosts: offer those matching what is typed, at most
      // MAX_HOST_ITEMS, and mark the list incomplete so the editor asks again as typing goes on.
      const prefix = typed.toLowerCase();
      let fromFile = 0;
      scan: for (const e of doc.parsed.entries) {
        if (e.spec?.name !== 'ROUTE' || e.line === pos.line) continue;
        for (const t of e.args) {
          if (t.text === DEFAULT_ROUTE || seen.has(t.text) || !t.text.toLowerCase().startsWith(prefix)) continue;
          if (fromFile >= MAX_HOST_ITEMS) {
            list.isIncomplete = true;
            break scan;
          }
          seen.add(t.text);
          fromFile++;
          items.push(simple(t.text, CompletionItemKind.Reference, replace, 'host named in another ROUTE', undefined, '1' + t.text));
        }
      }
      if (kind === 'destination') {
        items.push(simple(DEFAULT_ROUTE, CompletionItemKind.Keyword, replace, 'every host no other ROUTE names', 'Routes every destination that no other ROUTE entry lists through this next hop. Only one ROUTE may use it.', '2'));
      }
      return;
    }
    case 'size':
      for (const [v, d] of [
        [String(MAX_DATA_SIZE_KB), 'the maximum and default: 2097151 KB (2 GB - 1 KB)'],
        ['2047m', 'the largest size in MB'],
        ['1g', '1 GB'],
        ['512m', '512 MB'],
        ['100m', '100 MB'],
      ]) {
        items.push(simple(v, CompletionItemKind.Value, replace, d));
      }
      return;
    case 'port': {
      const v = spec.name === 'CLEARCASE_MIN_PORT' ? DYNAMIC_PORT_RANGE.low : DYNAMIC_PORT_RANGE.high;
      items.push(simple(String(v), CompletionItemKind.Value, replace, `${spec.name === 'CLEARCASE_MIN_PORT' ? 'start' : 'end'} of the Dynamic/Private range`));
      return;
    }
    case 'days':
      items.push(simple(String(DEFAULT_EXPIRATION_DAYS), CompletionItemKind.Value, replace, 'the default: two weeks'));
      items.push(simple('0', CompletionItemKind.Value, replace, 'never expire: retry for ever'));
      return;
    case 'minutes':
      items.push(simple('30', CompletionItemKind.Value, replace, 'skip an unreachable host for half an hour'));
      items.push(simple('0', CompletionItemKind.Value, replace, 'off: try every host on every run'));
      return;
    case 'address':
      items.push(simple('root', CompletionItemKind.Value, replace, 'the default administrator'));
      return;
  }
}

function pathItems(ctx: CompletionContext, kind: 'bay' | 'program', typed: string, replace: Range, pos: Position, items: CompletionItem[]): void {
  if (ctx.home && !typed.startsWith('/')) {
    const defaults = kind === 'bay' ? [path.join(ctx.home, 'shipping', 'ms_ship'), path.join(ctx.home, 'shipping', 'ms_rtn')] : [path.join(ctx.home, 'bin', 'notify')];
    for (const d of defaults) items.push(simple(d, CompletionItemKind.Folder, replace, 'in this host home', undefined, '0'));
  }
  if (!ctx.listDir) return;
  const dir = typed === '' ? '/' : typed.endsWith('/') ? typed : path.posix.dirname(typed) + '/';
  if (!dir.startsWith('/')) return;
  const prefix = typed.endsWith('/') || typed === '' ? '' : path.posix.basename(typed);
  const segStart = replace.start.character + (typed === '' ? 0 : typed.length - prefix.length);
  let entries: DirEntry[];
  try {
    entries = ctx.listDir(dir);
  } catch {
    return;
  }
  const segRange = range(pos.line, segStart, replace.end.character);
  const base = typed === '' ? '/' : '';
  let n = 0;
  for (const e of entries) {
    if (n >= MAX_PATH_ITEMS) break;
    if (!e.name.startsWith(prefix) || (kind === 'bay' && !e.isDirectory)) continue;
    if (e.name.startsWith('.') && !prefix.startsWith('.')) continue;
    n++;
    const item: CompletionItem = {
      label: e.name + (e.isDirectory ? '/' : ''),
      kind: e.isDirectory ? CompletionItemKind.Folder : CompletionItemKind.File,
      textEdit: { range: segRange, newText: base + e.name + (e.isDirectory ? '/' : '') },
      filterText: base + e.name,
    };
    if (e.isDirectory) item.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
    items.push(item);
  }
}
