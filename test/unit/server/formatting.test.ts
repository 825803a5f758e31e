import * as assert from 'assert';
import { applyEdits, parseShippingConf } from '../../../src/engine/conf';
import { formatLines } from '../../../src/server/services/formatting';
import { doc } from './serverHelpers';

const format = (text: string, range?: { start: { line: number; character: number }; end: { line: number; character: number } }): string => applyEdits(text, formatLines(doc(text), range));

describe('formatting service', () => {
  it('aligns keyword and first-argument columns within a block and keeps comments', () => {
    const text = [
      '   # Bays   ',
      'STORAGE-BAY   -default\t/ms/ship',
      '  RETURN-BAY -default /ms/rtn',
      'EXPIRATION nightly 3    #   soon',
      '',
      '',
      '',
      'ROUTE hub a b',
      'MAX-DATA-SIZE 1g',
      'BOGUS   stays   as is',
      '',
    ].join('\n');
    assert.strictEqual(
      format(text),
      [
        '# Bays',
        'STORAGE-BAY -default /ms/ship',
        'RETURN-BAY  -default /ms/rtn',
        'EXPIRATION  nightly  3  #   soon',
        '',
        'ROUTE         hub a b',
        'MAX-DATA-SIZE 1g',
        'BOGUS   stays   as is',
        '',
      ].join('\n'),
    );
  });

  it('returns no edits for a file already formatted, and is idempotent', () => {
    const text = 'STORAGE-BAY -default /a\nEXPIRATION  -default 14\n';
    assert.deepStrictEqual(formatLines(doc(text)), []);
    const messy = '  ROUTE  a  b\n\n\n  ADMINISTRATOR   root  \n';
    const once = format(messy);
    assert.strictEqual(format(once), once);
  });

  it('formats only the lines of a range, aligned with the rest of their block', () => {
    const text = 'STORAGE-BAY -default /a\nEXPIRATION   -default   14\nROUTE   a   b';
    assert.strictEqual(format(text, { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } }), 'STORAGE-BAY -default /a\nEXPIRATION  -default 14\nROUTE   a   b');
  });

  it('never changes anything but white space', () => {
    const text = 'MAX-DATA-SIZE\t2047m  # big\n\tADMINISTRATOR ops@x.org\nROUTE h1 a b c\n# c1\n\n\nSTORAGE_BAY junk  words\n';
    const words = (t: string): string[] => parseShippingConf(t).lines.flatMap((l) => l.split(/\s+/).filter(Boolean));
    assert.deepStrictEqual(words(format(text)), words(text));
  });
});
