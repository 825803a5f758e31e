import * as assert from 'assert';
import { FoldingRangeKind, SymbolKind } from 'vscode-languageserver';
import { computeFolding } from '../../../src/server/services/folding';
import { computeSymbols } from '../../../src/server/services/symbols';
import { doc } from './serverHelpers';

const TEXT = [
  '# Packet size',
  'MAX-DATA-SIZE 512m',
  '',
  '# Bays of the default class',
  '# (created at installation)',
  'STORAGE-BAY -default /ms/ship',
  'RETURN-BAY -default /ms/rtn',
  'STORAGE-BAY nightly /ms/n',
  'EXPIRATION -default 14',
  '',
  '',
  'ROUTE hub tokyo paris',
  'ROUTE gw -default',
  'BOGUS line',
].join('\n');

describe('document symbol service', () => {
  it('groups entries by storage class, routes together, file-wide settings on top', () => {
    const syms = computeSymbols(doc(TEXT));
    const shape = syms.map((s) => [s.name, s.kind, (s.children ?? []).map((c) => `${c.name} ${c.detail}`)]);
    assert.deepStrictEqual(shape, [
      ['MAX-DATA-SIZE', SymbolKind.Constant, []],
      ['-default', SymbolKind.Class, ['STORAGE-BAY /ms/ship', 'RETURN-BAY /ms/rtn', 'EXPIRATION 14']],
      ['nightly', SymbolKind.Class, ['STORAGE-BAY /ms/n']],
      ['Routes', SymbolKind.Namespace, ['hub for tokyo paris', 'gw for -default']],
    ]);
    const def = syms[1];
    assert.deepStrictEqual([def.range.start.line, def.range.end.line, def.selectionRange.start.character], [5, 8, 12]);
    assert.strictEqual(def.detail, 'storage class, 1 storage bay');
  });
});

describe('folding service', () => {
  it('folds paragraphs and comment headers inside them', () => {
    const ranges = computeFolding(doc(TEXT)).map((r) => [r.startLine, r.endLine, r.kind]);
    assert.deepStrictEqual(ranges, [
      [0, 1, FoldingRangeKind.Region],
      [3, 8, FoldingRangeKind.Region],
      [3, 4, FoldingRangeKind.Comment],
      [11, 13, FoldingRangeKind.Region],
    ]);
  });

  it('folds a block made only of comments as a comment', () => {
    assert.deepStrictEqual(computeFolding(doc('# a\n# b\n# c\n')).map((r) => [r.startLine, r.endLine, r.kind]), [[0, 2, FoldingRangeKind.Comment]]);
  });
});
