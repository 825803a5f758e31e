import * as assert from 'assert';
import { computeSemanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from '../../../src/server/services/semanticTokens';
import { doc } from './serverHelpers';

/** Decodes LSP's relative encoding into [line, start, text, type, modifiers]. */
function decode(text: string): [number, number, string, string, string[]][] {
  const lines = text.split('\n');
  const { data } = computeSemanticTokens(doc(text));
  const out: [number, number, string, string, string[]][] = [];
  let line = 0;
  let start = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i];
    start = data[i] === 0 ? start + data[i + 1] : data[i + 1];
    const mods = TOKEN_MODIFIERS.filter((_, b) => data[i + 4] & (1 << b));
    out.push([line, start, lines[line].slice(start, start + data[i + 2]), TOKEN_TYPES[data[i + 3]], [...mods]]);
  }
  return out;
}

describe('semantic token service', () => {
  it('colours keywords, classes, paths, numbers, hosts, addresses and comments', () => {
    const text = '# bays\nSTORAGE-BAY nightly /ms/n\nEXPIRATION -default 14  # days\nROUTE hub -default\nADMINISTRATOR root\nFOO bar\nMAX-DATA-SIZE abc';
    assert.deepStrictEqual(decode(text), [
      [0, 0, '# bays', 'comment', []],
      [1, 0, 'STORAGE-BAY', 'keyword', []],
      [1, 12, 'nightly', 'class', ['declaration']],
      [1, 20, '/ms/n', 'string', []],
      [2, 0, 'EXPIRATION', 'keyword', []],
      [2, 11, '-default', 'class', ['defaultLibrary']],
      [2, 20, '14', 'number', []],
      [2, 24, '# days', 'comment', []],
      [3, 0, 'ROUTE', 'keyword', []],
      [3, 6, 'hub', 'namespace', []],
      [3, 10, '-default', 'keyword', ['defaultLibrary']],
      [4, 0, 'ADMINISTRATOR', 'keyword', []],
      [4, 14, 'root', 'variable', []],
      [6, 0, 'MAX-DATA-SIZE', 'keyword', []],
    ]);
  });

  it('marks the directive and codes of a suppression comment', () => {
    const text = '  # shipping-conf-disable-next-line size-zero, port-range\nMAX-DATA-SIZE 0';
    assert.deepStrictEqual(decode(text).slice(0, 3), [
      [0, 2, '# shipping-conf-disable-next-line', 'macro', []],
      [0, 36, 'size-zero', 'enumMember', []],
      [0, 47, 'port-range', 'enumMember', []],
    ]);
  });
});
