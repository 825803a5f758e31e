import * as assert from 'assert';
import { CodeActionKind, type CodeAction, type TextEdit } from 'vscode-languageserver';
import { applyEdits } from '../../../src/engine/conf';
import { computeCodeActions, CREATE_FOLDERS_COMMAND, FIX_ALL_KIND } from '../../../src/server/services/codeActions';
import { computeDiagnostics } from '../../../src/server/services/diagnostics';
import { ctx, doc, URI } from './serverHelpers';

function actionsFor(text: string, code: string, over = {}): CodeAction[] {
  const d = doc(text);
  const c = ctx(over);
  const diag = computeDiagnostics(d, c).find((x) => x.code === code)!;
  assert.ok(diag, `no ${code}`);
  return computeCodeActions(d, { range: diag.range, diagnostics: [diag] }, c, { showDocsCommand: 'show.docs' });
}

function apply(text: string, a: CodeAction): string {
  const edits = (a.edit?.changes?.[URI] ?? []) as TextEdit[];
  return applyEdits(text, edits);
}

describe('code action service', () => {
  it('offers the rule\'s fixes first, the preferred one marked, then suppressions and the docs', () => {
    const text = 'CLEARCASE_MIN_PORT 65000\nCLEARCASE_MAX_PORT 50000';
    const actions = actionsFor(text, 'port-order');
    assert.deepStrictEqual(actions.map((a) => [a.title, a.isPreferred ?? false]), [
      ['Swap CLEARCASE_MIN_PORT and CLEARCASE_MAX_PORT', true],
      ['Suppress port-order on this line', false],
      ['Suppress port-order in this file', false],
      ['Show documentation for port-order', false],
    ]);
    assert.strictEqual(apply(text, actions[0]), 'CLEARCASE_MIN_PORT 50000\nCLEARCASE_MAX_PORT 65000');
    assert.strictEqual(apply(text, actions[1]), 'CLEARCASE_MIN_PORT 65000\n# shipping-conf-disable-next-line port-order\nCLEARCASE_MAX_PORT 50000');
    assert.strictEqual(apply(text, actions[2]), '# shipping-conf-disable port-order\nCLEARCASE_MIN_PORT 65000\nCLEARCASE_MAX_PORT 50000');
    assert.deepStrictEqual(actions[3].command, { title: 'Show documentation', command: 'show.docs', arguments: ['port-order'] });
  });

  it('a suppression added by the quick fix really silences the diagnostic, and a second code joins the same comment', () => {
    const text = '  MAX-DATA-SIZE 0';
    const once = apply(text, actionsFor(text, 'size-zero').find((a) => a.title.startsWith('Suppress size-zero on'))!);
    assert.strictEqual(once, '  # shipping-conf-disable-next-line size-zero\n  MAX-DATA-SIZE 0');
    assert.deepStrictEqual(computeDiagnostics(doc(once), ctx()), []);
    const two = '# shipping-conf-disable-next-line size-zero\nMAX-DATA-SIZE 0 extra';
    const joined = apply(two, actionsFor(two, 'extra-argument').find((a) => a.title.startsWith('Suppress extra-argument on'))!);
    assert.strictEqual(joined, '# shipping-conf-disable-next-line size-zero, extra-argument\nMAX-DATA-SIZE 0 extra');
    assert.deepStrictEqual(computeDiagnostics(doc(joined), ctx()), []);
  });

  it('creates missing bay folders through a server command, only when the disk may be used', () => {
    const fsys = { stat: () => undefined, canWrite: () => true, canExecute: () => true };
    const actions = actionsFor('STORAGE-BAY -default /srv/bay', 'bay-missing', { fs: fsys });
    assert.deepStrictEqual(actions[0].command, { title: 'Create /srv/bay with incoming and outgoing', command: CREATE_FOLDERS_COMMAND, arguments: [URI, ['/srv/bay/incoming', '/srv/bay/outgoing']] });
    assert.strictEqual(actions[0].kind, CodeActionKind.QuickFix);
  });

  it('offers fix-all in the light bulb and as source.fixAll', () => {
    const text = 'STORAGE_BAY -default /b\nMAX-DATA-SIZE 10MB\n';
    const d = doc(text);
    const diags = computeDiagnostics(d, ctx());
    const bulb = computeCodeActions(d, { range: diags[0].range, diagnostics: [diags[0]] }, ctx()).find((a) => a.title.startsWith('Fix all'))!;
    assert.strictEqual(bulb.title, 'Fix all auto-fixable problems (2)');
    assert.strictEqual(apply(text, bulb), 'STORAGE-BAY -default /b\nMAX-DATA-SIZE 10m\n');
    const source = computeCodeActions(d, { range: diags[0].range, diagnostics: [], only: [CodeActionKind.SourceFixAll] }, ctx());
    assert.deepStrictEqual(source.map((a) => a.kind), [FIX_ALL_KIND]);
    assert.strictEqual(apply(text, source[0]), 'STORAGE-BAY -default /b\nMAX-DATA-SIZE 10m\n');
  });

  it('ignores diagnostics it did not produce', () => {
    const d = doc('MAX-DATA-SIZE 0');
    const foreign = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', code: 'other' };
    assert.deepStrictEqual(computeCodeActions(d, { range: foreign.range, diagnostics: [foreign] }, ctx()), []);
  });
});
