import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver';
import { entryRange, tokenRange, type ConfEntry } from '../../engine/conf';
import type { ConfDocument } from '../document';

/** Outline caps, as other config servers do, so a 50,000-line file cannot flood the editor. */
export const MAX_SYMBOLS = 5000;

const KIND: Record<string, SymbolKind> = {
  'MAX-DATA-SIZE': SymbolKind.Constant,
  'NOTIFICATION-PROGRAM': SymbolKind.File,
  ADMINISTRATOR: SymbolKind.Property,
  'STORAGE-BAY': SymbolKind.Field,
  'RETURN-BAY': SymbolKind.Field,
  EXPIRATION: SymbolKind.Property,
  ROUTE: SymbolKind.Event,
  'RECEIPT-HANDLER': SymbolKind.Function,
  CLEARCASE_MIN_PORT: SymbolKind.Number,
  CLEARCASE_MAX_PORT: SymbolKind.Number,
  'DOWNHOST-TIMEOUT': SymbolKind.Number,
};

function entrySymbol(e: ConfEntry, name: string, detail: string): DocumentSymbol {
  return { name, detail, kind: KIND[e.keyword.text] ?? SymbolKind.Key, range: entryRange(e), selectionRange: tokenRange(e.keyword) };
}

function span(children: DocumentSymbol[]): Range {
  let start = children[0].range.start;
  let end = children[0].range.end;
  for (const c of children) {
    if (c.range.start.line < start.line) start = c.range.start;
    if (c.range.end.line > end.line || (c.range.end.line === end.line && c.range.end.character > end.character)) end = c.range.end;
  }
  return { start, end };
}

/**
 * The outline: one node per storage class holding its bays, expiration and receipt handler;
 * a "Routes" node with the ROUTE entries; and the file-wide settings at the top level.
 */
export function computeSymbols(doc: ConfDocument): DocumentSymbol[] {
  const top: DocumentSymbol[] = [];
  const classes = new Map<string, { first: ConfEntry; children: DocumentSymbol[] }>();
  const routes: DocumentSymbol[] = [];
  let count = 0;
  for (const e of doc.parsed.entries) {
    if (!e.spec || count >= MAX_SYMBOLS) continue;
    count++;
    const args = e.args.map((a) => a.text);
    if (e.spec.args[0]?.kind === 'class' && args.length >= 1) {
      let c = classes.get(args[0]);
      if (!c) classes.set(args[0], (c = { first: e, children: [] }));
      c.children.push(entrySymbol(e, e.spec.name, args.slice(1).join(' ')));
    } else if (e.spec.name === 'ROUTE') {
      routes.push(entrySymbol(e, `${args[0] ?? '?'}`, `for ${args.slice(1).join(' ')}`));
    } else {
      top.push(entrySymbol(e, e.spec.name, args.join(' ')));
    }
  }
  for (const [name, c] of classes) {
    const range = span(c.children);
    const bays = c.children.filter((s) => s.name === 'STORAGE-BAY').length;
    top.push({ name, detail: `storage class, ${bays} storage bay${bays === 1 ? '' : 's'}`, kind: SymbolKind.Class, range, selectionRange: tokenRange(c.first.args[0]), children: c.children });
  }
  if (routes.length) top.push({ name: 'Routes', detail: `${routes.length} ROUTE entr${routes.length === 1 ? 'y' : 'ies'}`, kind: SymbolKind.Namespace, range: span(routes), selectionRange: routes[0].selectionRange, children: routes });
  top.sort((a, b) => a.range.start.line - b.range.start.line);
  return top;
}
