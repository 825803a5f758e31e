import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import { fixAllEdits, suppressFileEdit, suppressLineEdit, type ConfEdit } from '../../engine/conf';
import type { ConfDocument, ServiceContext } from '../document';
import { confDiagnostics, toLspDiagnostic } from './diagnostics';

/** Server command that creates bay folders, then re-validates: args [uri, paths[]]. */
export const CREATE_FOLDERS_COMMAND = 'multisite.shippingConf.createFolders';
/** The code-action kind of "fix everything that can be fixed safely". */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.shippingConf`;

export interface CodeActionRequest {
  range: Range;
  /** Diagnostics the client sent as context (those under the cursor). */
  diagnostics: Diagnostic[];
  /** Kinds the client asked for, if it asked. */
  only?: string[];
}

export interface CodeActionOptions {
  /** Client command that shows a rule's page, when the client has one. */
  showDocsCommand?: string;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function workspaceEdit(uri: string, edits: readonly ConfEdit[]): WorkspaceEdit {
  return { changes: { [uri]: edits.map((e): TextEdit => ({ range: e.range, newText: e.newText })) } };
}

function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
}

/** Quick fixes for the diagnostics in the request, suppressions, docs links, and fix-all. */
export function computeCodeActions(doc: ConfDocument, req: CodeActionRequest, ctx: ServiceContext, opts: CodeActionOptions = {}): CodeAction[] {
  const all = confDiagnostics(doc, ctx);
  const actions: CodeAction[] = [];
  if (wants(req.only, CodeActionKind.QuickFix)) {
    const seenSuppress = new Set<string>();
    for (const sent of req.diagnostics) {
      const d = all.find((x) => x.code === sent.code && sameRange(x.range, sent.range));
      if (!d) continue;
      const lsp = toLspDiagnostic(d, doc, ctx);
      for (const fix of d.fixes ?? []) {
        const a: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [lsp], isPreferred: fix.preferred === true };
        if (fix.edits.length) a.edit = workspaceEdit(doc.uri, fix.edits);
        if (fix.mkdirs?.length) {
          if (!ctx.fs) continue; // creating folders is a file-system action: not in untrusted workspaces
          a.command = { title: fix.title, command: CREATE_FOLDERS_COMMAND, arguments: [doc.uri, fix.mkdirs] };
        }
        actions.push(a);
      }
      const key = `${d.code}:${d.range.start.line}`;
      if (!seenSuppress.has(key)) {
        seenSuppress.add(key);
        actions.push({ title: `Suppress ${d.code} on this line`, kind: CodeActionKind.QuickFix, diagnostics: [lsp], edit: workspaceEdit(doc.uri, [suppressLineEdit(doc.parsed, d.range.start.line, d.code)]) });
        actions.push({ title: `Suppress ${d.code} in this file`, kind: CodeActionKind.QuickFix, diagnostics: [lsp], edit: workspaceEdit(doc.uri, [suppressFileEdit(d.code)]) });
        if (opts.showDocsCommand) {
          actions.push({ title: `Show documentation for ${d.code}`, kind: CodeActionKind.QuickFix, command: { title: 'Show documentation', command: opts.showDocsCommand, arguments: [d.code] } });
        }
      }
    }
    const fixable = fixAllEdits(all);
    if (fixable.count > 1 && req.diagnostics.length > 0) {
      actions.push({ title: `Fix all auto-fixable problems (${fixable.count})`, kind: CodeActionKind.QuickFix, edit: workspaceEdit(doc.uri, fixable.edits) });
    }
  }
  if (req.only && wants(req.only, FIX_ALL_KIND)) {
    const fixable = fixAllEdits(all);
    if (fixable.count > 0) actions.push({ title: 'Fix all shipping.conf problems', kind: FIX_ALL_KIND, edit: workspaceEdit(doc.uri, fixable.edits) });
  }
  return actions;
}
