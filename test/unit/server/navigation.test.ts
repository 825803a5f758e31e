import * as assert from 'assert';
import { ResponseError } from 'vscode-languageserver';
import { applyEdits } from '../../../src/engine/conf';
import { computeDefinition, computeReferences, computeRename, prepareRename } from '../../../src/server/services/navigation';
import { computeLinks } from '../../../src/server/services/links';
import { at, ctx, doc, URI } from './serverHelpers';

const TEXT = 'EXPIRATION nightly 3\nSTORAGE-BAY nightly /n1\nRETURN-BAY nightly /r\nSTORAGE-BAY Nightly /x\nROUTE hub tokyo\nROUTE hub2 -default\nRECEIPT-HANDLER nightly /bin/h';

describe('navigation services', () => {
  it('goes from any use of a class to its first STORAGE-BAY', () => {
    const defs = computeDefinition(doc(TEXT), at(TEXT, 'nightly', 2), ctx());
    assert.deepStrictEqual(defs, [{ uri: URI, range: { start: { line: 1, character: 12 }, end: { line: 1, character: 19 } } }]);
  });

  it('goes from a ROUTE host to its section in site.ini', () => {
    const hosts = [{ name: 'tokyo', self: false, file: '/h/config/site.ini', line: 7 }];
    assert.deepStrictEqual(computeDefinition(doc(TEXT), at(TEXT, 'tokyo', 1), ctx({ hosts })), [{ uri: 'file:///h/config/site.ini', range: { start: { line: 7, character: 0 }, end: { line: 7, character: 0 } } }]);
    assert.deepStrictEqual(computeDefinition(doc(TEXT), at(TEXT, 'hub', 1), ctx({ hosts })), []);
  });

  it('finds every use of a class, case-sensitively, with or without its definition', () => {
    const refs = computeReferences(doc(TEXT), at(TEXT, 'nightly', 1));
    assert.deepStrictEqual(refs.map((r) => r.range.start.line), [0, 1, 2, 6]);
    assert.deepStrictEqual(computeReferences(doc(TEXT), at(TEXT, 'nightly', 1), false).map((r) => r.range.start.line), [0, 2, 6]);
    assert.deepStrictEqual(computeReferences(doc(TEXT), at(TEXT, '/n1', 1)), []);
  });

  it('renames a class in every entry and refuses names that would break the line', () => {
    const d = doc(TEXT);
    assert.deepStrictEqual(prepareRename(d, at(TEXT, 'nightly', 3)), { range: { start: { line: 0, character: 11 }, end: { line: 0, character: 18 } }, placeholder: 'nightly' });
    assert.strictEqual(prepareRename(d, at(TEXT, 'EXPIRATION', 1)), null);
    const edit = computeRename(d, at(TEXT, 'nightly', 1), 'daily')!;
    assert.strictEqual(applyEdits(TEXT, edit.changes![URI]), TEXT.replace(/nightly/g, 'daily'));
    assert.throws(() => computeRename(d, at(TEXT, 'nightly', 1), 'two words'), ResponseError);
    assert.throws(() => computeRename(d, at(TEXT, 'hub', 1), '-default'), ResponseError);
  });

  it('renames a ROUTE host across entries', () => {
    const text = 'ROUTE hub a\nROUTE b hub';
    const edit = computeRename(doc(text), at(text, 'hub', 1), 'hub1')!;
    assert.strictEqual(applyEdits(text, edit.changes![URI]), 'ROUTE hub1 a\nROUTE b hub1');
  });
});

describe('document link service', () => {
  it('links absolute bay and program paths', () => {
    const links = computeLinks(doc(TEXT), ctx());
    assert.deepStrictEqual(links.map((l) => [l.target, l.range.start.line]), [
      ['file:///n1', 1],
      ['file:///r', 2],
      ['file:///x', 3],
      ['file:///bin/h', 6],
    ]);
  });

  it('links only paths that exist when the disk may be used', () => {
    const fsys = { stat: (p: string) => (p === '/bin/h' ? { isDirectory: false, isFile: true, dev: 1 } : undefined), canWrite: () => true, canExecute: () => true };
    assert.deepStrictEqual(computeLinks(doc(TEXT), ctx({ fs: fsys })).map((l) => l.target), ['file:///bin/h']);
    assert.deepStrictEqual(computeLinks(doc('STORAGE-BAY x relative'), ctx()), []);
  });
});
