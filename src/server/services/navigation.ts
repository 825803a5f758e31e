import { pathToFileURL } from 'url';
import { DocumentHighlightKind, ResponseError, ErrorCodes, type DocumentHighlight, type Location, type Range, type WorkspaceEdit } from 'vscode-languageserver';
import { argSpecAt, DEFAULT_ROUTE, tokenRange, type ConfToken } from '../../engine/conf';
import { tokenAt, type ConfDocument, type Position, type ServiceContext } from '../document';

/** Every storage-class token of the document, in order. */
function classTokens(doc: ConfDocument): { token: ConfToken; keyword: string }[] {
  const out: { token: ConfToken; keyword: string }[] = [];
  for (const e of doc.parsed.entries) {
    if (e.spec?.args[0]?.kind === 'class' && e.args[0]) out.push({ token: e.args[0], keyword: e.spec.name });
  }
  return out;
}

type Symbol = { kind: 'class' | 'host'; token: ConfToken };

function symbolAt(doc: ConfDocument, pos: Position): Symbol | undefined {
  const at = tokenAt(doc.parsed, pos);
  if (!at.entry?.spec || at.index === undefined || at.index < 0 || !at.token) return undefined;
  const kind = argSpecAt(at.entry.spec, at.index)?.kind;
  if (kind === 'class') return { kind: 'class', token: at.token };
  if ((kind === 'host' || kind === 'destination') && at.token.text !== DEFAULT_ROUTE) return { kind: 'host', token: at.token };
  return undefined;
}

function hostTokens(doc: ConfDocument): ConfToken[] {
  return doc.parsed.entries.filter((e) => e.spec?.name === 'ROUTE').flatMap((e) => e.args.filter((a) => a.text !== DEFAULT_ROUTE));
}

/**
 * Go to definition. A storage class is defined by its first STORAGE-BAY entry (else its first
 * mention); a ROUTE host by its section in the host's site.ini, when it is a known peer.
 */
export function computeDefinition(doc: ConfDocument, pos: Position, ctx: ServiceContext): Location[] {
  const s = symbolAt(doc, pos);
  if (!s) return [];
  if (s.kind === 'class') {
    const uses = classTokens(doc).filter((u) => u.token.text === s.token.text);
    const def = uses.find((u) => u.keyword === 'STORAGE-BAY') ?? uses[0];
    return def ? [{ uri: doc.uri, range: tokenRange(def.token) }] : [];
  }
  const known = ctx.hosts.find((h) => h.name === s.token.text);
  if (!known) return [];
  const line = { line: known.line, character: 0 };
  return [{ uri: pathToFileURL(known.file).toString(), range: { start: line, end: line } }];
}

/** Every use of the storage class or host under the cursor in this file. */
export function computeReferences(doc: ConfDocument, pos: Position, includeDeclaration = true): Location[] {
  const s = symbolAt(doc, pos);
  if (!s) return [];
  if (s.kind === 'class') {
    const uses = classTokens(doc).filter((u) => u.token.text === s.token.text);
    const def = uses.find((u) => u.keyword === 'STORAGE-BAY') ?? uses[0];
    return uses.filter((u) => includeDeclaration || u !== def).map((u) => ({ uri: doc.uri, range: tokenRange(u.token) }));
  }
  return hostTokens(doc).filter((t) => t.text === s.token.text).map((t) => ({ uri: doc.uri, range: tokenRange(t) }));
}

/** The range rename would change, or null where nothing can be renamed. */
export function prepareRename(doc: ConfDocument, pos: Position): { range: Range; placeholder: string } | null {
  const s = symbolAt(doc, pos);
  return s ? { range: tokenRange(s.token), placeholder: s.token.text } : null;
}

/** Renames a storage class (or a ROUTE host) in every entry of the file. */
export function computeRename(doc: ConfDocument, pos: Position, newName: string): WorkspaceEdit | null {
  const s = symbolAt(doc, pos);
  if (!s) return null;
  if (newName === '' || /[\s#]/.test(newName) || newName.startsWith('#')) {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" cannot be a ${s.kind === 'class' ? 'storage-class' : 'host'} name: use one word without spaces or #.`);
  }
  if (s.kind === 'host' && newName === DEFAULT_ROUTE) throw new ResponseError(ErrorCodes.InvalidParams, 'A host cannot be renamed to -default.');
  const refs = computeReferences(doc, pos, true);
  return { changes: { [doc.uri]: refs.map((r) => ({ range: r.range, newText: newName })) } };
}

/** Highlights every use of the class or host under the cursor; a class's STORAGE-BAY uses are its definitions. */
export function computeHighlights(doc: ConfDocument, pos: Position): DocumentHighlight[] {
  const s = symbolAt(doc, pos);
  if (!s) return [];
  if (s.kind === 'class') {
    return classTokens(doc)
      .filter((u) => u.token.text === s.token.text)
      .map((u) => ({ range: tokenRange(u.token), kind: u.keyword === 'STORAGE-BAY' ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
  }
  return hostTokens(doc).filter((t) => t.text === s.token.text).map((t) => ({ range: tokenRange(t), kind: DocumentHighlightKind.Text }));
}
