import * as assert from 'assert';
import { entryTexts } from '../../../../src/engine/store/oplog';
import { prng } from '../../../support/prng';

describe('oplog entry texts', () => {
  const tricky = ['plain', 'a {brace} and [bracket]', 'quote " and \\\\ backslash', '}]{[', 'ünïcödé ✓ 🚀', 'line\nbreak\ttab', '\\"', ''];

  it('slices each entry of a transaction exactly as JSON.stringify wrote it, whatever its strings hold', () => {
    const seed = Number(process.env.OPLOG_TEXT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const next = prng(seed);
    for (let round = 0; round < 200; round++) {
      const ops = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => ({
        kind: 'version.create',
        path: tricky[Math.floor(next() * tricky.length)] + i,
        comment: tricky[Math.floor(next() * tricky.length)],
        id: i + 1,
        deps: next() < 0.5 ? { a: 1, b: [1, 2, { c: '}' }] } : undefined,
        n: next() < 0.3 ? null : i,
      }));
      const text = JSON.stringify({ ops });
      const texts = entryTexts(text, ops.length);
      assert.ok(texts, `seed ${seed} (replay with OPLOG_TEXT_SEED=${seed}), round ${round}: ${text}`);
      assert.deepStrictEqual(texts, ops.map((o) => JSON.stringify(o)), `seed ${seed}, round ${round}`);
    }
  });

  it('declines text in any other shape, so the caller serialises the entries itself', () => {
    assert.strictEqual(entryTexts('{"ops":[{"a":1}]}', 2), undefined, 'count differs');
    assert.strictEqual(entryTexts('{"ops":[1,2]}', 2), undefined, 'not objects');
    assert.strictEqual(entryTexts('{"x":1,"ops":[{"a":1}]}', 1), undefined, 'other fields first');
    assert.strictEqual(entryTexts('{"ops":[{"a":"}]}', 1), undefined, 'unterminated string');
    assert.strictEqual(entryTexts('{"ops":[{"a":1}} ]}', 1), undefined, 'unbalanced');
    assert.deepStrictEqual(entryTexts('{"ops":[]}', 0), []);
  });
});
