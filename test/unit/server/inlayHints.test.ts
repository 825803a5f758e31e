import * as assert from 'assert';
import { DocumentHighlightKind } from 'vscode-languageserver';
import { computeInlayHints } from '../../../src/server/services/inlayHints';
import { computeHighlights } from '../../../src/server/services/navigation';
import { at, doc } from './serverHelpers';

const ALL = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };

describe('inlay hint service', () => {
  it('shows a suffixed size in KB, what an expiration or timeout means', () => {
    const text = 'MAX-DATA-SIZE 512m\nMAX-DATA-SIZE 100\nEXPIRATION -default 0\nEXPIRATION nightly 3\nDOWNHOST-TIMEOUT 30';
    const hints = computeInlayHints(doc(text), ALL).map((h) => [h.position.line, h.position.character, h.label]);
    assert.deepStrictEqual(hints, [
      [0, 18, '= 524,288 KB'],
      [2, 21, 'never expires'],
      [3, 20, 'days'],
      [4, 19, 'minutes'],
    ]);
  });

  it('computes hints only for the lines asked for', () => {
    const text = Array.from({ length: 100 }, () => 'MAX-DATA-SIZE 1g').join('\n');
    const hints = computeInlayHints(doc(text), { start: { line: 10, character: 0 }, end: { line: 12, character: 0 } });
    assert.deepStrictEqual(hints.map((h) => h.position.line), [10, 11, 12]);
  });
});

describe('document highlight service', () => {
  it('highlights a class everywhere, its STORAGE-BAY uses as definitions', () => {
    const text = 'STORAGE-BAY nightly /n\nEXPIRATION nightly 3\nEXPIRATION other 1';
    assert.deepStrictEqual(
      computeHighlights(doc(text), at(text, 'nightly', 1, 1)).map((h) => [h.range.start.line, h.kind]),
      [[0, DocumentHighlightKind.Write], [1, DocumentHighlightKind.Read]],
    );
    assert.deepStrictEqual(computeHighlights(doc(text), at(text, '/n', 1)), []);
  });
});
