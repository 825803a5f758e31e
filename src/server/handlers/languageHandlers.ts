import * as fs from 'fs';
import * as path from 'path';
import { ResponseError, type CancellationToken } from 'vscode-languageserver';
import type { ConfDocument } from '../document';
import type { CompletionContext } from '../services/completion';
import { computeCodeActions, CREATE_FOLDERS_COMMAND } from '../services/codeActions';
import { computeCompletion } from '../services/completion';
import { computeFolding } from '../services/folding';
import { formatLines } from '../services/formatting';
import { computeHover } from '../services/hover';
import { computeInlayHints } from '../services/inlayHints';
import { computeLinks } from '../services/links';
import { computeDefinition, computeHighlights, computeReferences, computeRename, prepareRename } from '../services/navigation';
import { computeSemanticTokens } from '../services/semanticTokens';
import { computeSymbols } from '../services/symbols';
import type { ServerState } from '../state';
import type { Validator } from './validationHandlers';

/**
 * Wires the services to LSP requests. Every handler is guarded: a bug in a service is logged
 * and answered with an empty result, never allowed to take the server down.
 */
export function registerLanguageHandlers(state: ServerState, validator: Validator): void {
  const c = state.connection;

  function guard<P extends { textDocument: { uri: string } }, R>(name: string, empty: R, f: (doc: ConfDocument, ctx: CompletionContext, p: P) => R | Promise<R>) {
    return async (p: P, _token?: CancellationToken): Promise<R> => {
      const doc = state.document(p.textDocument.uri);
      if (!doc) return empty;
      try {
        return await f(doc, await state.context(doc), p);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        c.console.error(`${name} failed on ${p.textDocument.uri}: ${(e as Error).stack ?? e}`);
        return empty;
      }
    };
  }

  c.onCompletion(guard('completion', null, (doc, ctx, p) => computeCompletion(doc, p.position, ctx, { snippets: state.client.snippets })));
  c.onHover(guard('hover', null, (doc, ctx, p) => computeHover(doc, p.position, ctx)));
  c.onCodeAction(
    guard('codeAction', [], (doc, ctx, p) =>
      computeCodeActions(doc, { range: p.range, diagnostics: p.context.diagnostics, only: p.context.only }, ctx, { showDocsCommand: state.client.ruleDocsCommand }),
    ),
  );
  c.onDocumentSymbol(guard('documentSymbol', [], (doc) => computeSymbols(doc)));
  c.onFoldingRanges(guard('foldingRange', [], (doc) => computeFolding(doc)));
  c.languages.semanticTokens.on(guard('semanticTokens', { data: [] }, (doc) => computeSemanticTokens(doc)));
  c.onDocumentFormatting(guard('formatting', [], (doc) => formatLines(doc)));
  c.onDocumentRangeFormatting(guard('rangeFormatting', [], (doc, _ctx, p) => formatLines(doc, p.range)));
  c.onDefinition(guard('definition', [], (doc, ctx, p) => computeDefinition(doc, p.position, ctx)));
  c.onReferences(guard('references', [], (doc, _ctx, p) => computeReferences(doc, p.position, p.context.includeDeclaration)));
  c.onPrepareRename(guard('prepareRename', null, (doc, _ctx, p) => prepareRename(doc, p.position)));
  c.onRenameRequest(guard('rename', null, (doc, _ctx, p) => computeRename(doc, p.position, p.newName)));
  c.onDocumentLinks(guard('documentLinks', [], (doc, ctx) => computeLinks(doc, ctx)));
  c.onDocumentHighlight(guard('documentHighlight', [], (doc, _ctx, p) => computeHighlights(doc, p.position)));
  c.languages.inlayHint.on(guard('inlayHint', [], (doc, _ctx, p) => computeInlayHints(doc, p.range)));

  c.onExecuteCommand(async (p) => {
    if (p.command !== CREATE_FOLDERS_COMMAND) return null;
    const [uri, dirs] = (p.arguments ?? []) as [string, unknown];
    const doc = typeof uri === 'string' ? state.document(uri) : undefined;
    if (!doc || !Array.isArray(dirs)) return null;
    const ctx = await state.context(doc);
    if (!ctx.fs) {
      c.window.showWarningMessage('File-system checks are off for this workspace, so the language server does not create folders.');
      return null;
    }
    const created: string[] = [];
    for (const d of dirs) {
      if (typeof d !== 'string' || !path.isAbsolute(d)) continue;
      try {
        fs.mkdirSync(d, { recursive: true });
        created.push(d);
      } catch (e) {
        c.window.showErrorMessage(`Cannot create ${d}: ${(e as Error).message}`);
      }
    }
    validator.validateAll();
    return created;
  });
}
