import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { applyEdits, fixAllEdits, KEYWORDS, parseShippingConf, validateShippingConf, type ConfFileSystem } from '../../../src/engine/conf';
import type { ConfDocument } from '../../../src/server/document';
import { computeCodeActions } from '../../../src/server/services/codeActions';
import { computeCompletion } from '../../../src/server/services/completion';
import { computeDiagnostics } from '../../../src/server/services/diagnostics';
import { computeFolding } from '../../../src/server/services/folding';
import { formatLines } from '../../../src/server/services/formatting';
import { computeHover } from '../../../src/server/services/hover';
import { computeLinks } from '../../../src/server/services/links';
import { computeInlayHints } from '../../../src/server/services/inlayHints';
import { computeDefinition, computeHighlights, computeReferences, computeRename, prepareRename } from '../../../src/server/services/navigation';
import { computeSemanticTokens } from '../../../src/server/services/semanticTokens';
import { computeSymbols } from '../../../src/server/services/symbols';
import { ctx } from './serverHelpers';
import { prng } from '../../support/prng';

/**
 * Fuzzing every service with random bytes and mutations of the corpus: nothing may throw, and
 * each document must be fully served (diagnostics, completion, hover and the rest at several
 * positions) within a time bound. A failure prints the seed: FUZZ_SEED=<seed> replays it.
 */
const CASES_RANDOM = 1500;
const CASES_MUTATED = 2500;
// Generous on purpose: the machine is shared; a pathological (quadratic) case takes far longer.
const PER_CASE_MS = 1000;


const CORPUS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'conf');
const corpus = ['valid', 'broken', 'mixed'].flatMap((d) =>
  fs.readdirSync(path.join(CORPUS_DIR, d)).filter((f) => f.endsWith('.conf')).map((f) => fs.readFileSync(path.join(CORPUS_DIR, d, f), 'utf8')),
);
const WORDS = [...KEYWORDS.map((k) => k.name), '-default', 'cq_default', '#', '# shipping-conf-disable', '# shipping-conf-disable-next-line', '/', '0', '2g', '65535', '\t', ' ', '\n', '\r\n', '\r', 'é', '\u2013', '\u0000', '\uffff', '\ud800', '😀', 'x'.repeat(300)];

const fakeFs: ConfFileSystem = {
  stat: (p) => (p.length % 3 === 0 ? undefined : { isDirectory: p.length % 2 === 0, isFile: p.length % 2 === 1, dev: p.length % 5 }),
  canWrite: (p) => p.length % 4 !== 0,
  canExecute: (p) => p.length % 7 !== 0,
};

function randomText(rnd: () => number): string {
  const n = Math.floor(rnd() * 2000);
  if (rnd() < 0.5) {
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) bytes[i] = Math.floor(rnd() * 256);
    return bytes.toString(rnd() < 0.5 ? 'latin1' : 'utf8');
  }
  let s = '';
  while (s.length < n) s += WORDS[Math.floor(rnd() * WORDS.length)] + (rnd() < 0.6 ? ' ' : '');
  return s;
}

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const steps = 1 + Math.floor(rnd() * 8);
  for (let k = 0; k < steps; k++) {
    const i = Math.floor(rnd() * (s.length + 1));
    const j = Math.min(s.length, i + Math.floor(rnd() * 20));
    switch (Math.floor(rnd() * 6)) {
      case 0:
        s = s.slice(0, i) + s.slice(j);
        break;
      case 1:
        s = s.slice(0, i) + WORDS[Math.floor(rnd() * WORDS.length)] + s.slice(i);
        break;
      case 2:
        s = s.slice(0, i) + String.fromCharCode(Math.floor(rnd() * 0x10000)) + s.slice(j);
        break;
      case 3: {
        const lines = s.split('\n');
        const a = Math.floor(rnd() * lines.length);
        lines.splice(Math.floor(rnd() * lines.length), 0, lines[a]);
        s = lines.join('\n');
        break;
      }
      case 4:
        s = s.slice(0, i);
        break;
      default:
        s = s.slice(0, i) + s.slice(i, j).toLowerCase() + s.slice(j);
    }
  }
  return s;
}

/** Runs every service on a document at a few positions; throws if any of them throws. */
function serveEverything(text: string, rnd: () => number): void {
  const doc: ConfDocument = { uri: 'file:///fuzz/shipping.conf', version: 1, parsed: parseShippingConf(text) };
  const c = ctx({ fs: rnd() < 0.5 ? fakeFs : undefined, hosts: [{ name: 'hub', self: false, file: '/s', line: 0 }], home: '/h', listDir: () => [{ name: 'a', isDirectory: true }] });
  const diags = computeDiagnostics(doc, c);
  const lines = doc.parsed.lines;
  const positions = Array.from({ length: 6 }, () => {
    const line = Math.floor(rnd() * (lines.length + 1));
    return { line, character: Math.floor(rnd() * ((lines[line]?.length ?? 0) + 2)) };
  });
  for (const pos of positions) {
    computeCompletion(doc, pos, c);
    computeHover(doc, pos, c);
    computeDefinition(doc, pos, c);
    computeReferences(doc, pos);
    computeHighlights(doc, pos);
    if (prepareRename(doc, pos)) computeRename(doc, pos, 'renamed');
  }
  for (const d of diags.slice(0, 20)) computeCodeActions(doc, { range: d.range, diagnostics: [d] }, c);
  computeSymbols(doc);
  computeFolding(doc);
  computeSemanticTokens(doc);
  computeLinks(doc, c);
  computeInlayHints(doc, { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } });
  const formatted = applyEdits(text, formatLines(doc));
  assert.strictEqual(formatted.replace(/\s+/g, ''), text.replace(/\s+/g, ''), 'formatting changed more than white space');
  const all = validateShippingConf(doc.parsed, { fileSystemChecks: true, fs: fakeFs });
  parseShippingConf(applyEdits(text, fixAllEdits(all).edits));
}

describe('shipping.conf fuzzing', function () {
  this.timeout(120000);
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

  function run(cases: number, make: (rnd: () => number, i: number) => string): void {
    const rnd = prng(seed);
    let slowest = 0;
    for (let i = 0; i < cases; i++) {
      const text = make(rnd, i);
      const t0 = performance.now();
      try {
        serveEverything(text, rnd);
      } catch (e) {
        throw new Error(`case ${i} failed (replay with FUZZ_SEED=${seed}): ${(e as Error).stack}\ninput: ${JSON.stringify(text.slice(0, 400))}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    assert.ok(slowest < PER_CASE_MS, `slowest case took ${slowest.toFixed(0)} ms (replay with FUZZ_SEED=${seed})`);
  }

  it(`serves ${CASES_RANDOM} documents of random bytes and words without failing`, () => {
    run(CASES_RANDOM, (rnd) => randomText(rnd));
  });

  it(`serves ${CASES_MUTATED} mutations of the corpus without failing`, () => {
    run(CASES_MUTATED, (rnd, i) => mutate(corpus[i % corpus.length], rnd));
  });

  it('validates a 50,000-line file in bounded time', () => {
    const lines: string[] = [];
    for (let i = 0; i < 50000; i++) lines.push(i % 10 === 0 ? `# section ${i}` : `${KEYWORDS[i % KEYWORDS.length].name} arg${i} /p/${i}`);
    const text = lines.join('\n');
    const t0 = performance.now();
    const doc: ConfDocument = { uri: 'file:///big', version: 1, parsed: parseShippingConf(text) };
    const diags = computeDiagnostics(doc, ctx());
    computeSymbols(doc);
    computeFolding(doc);
    computeSemanticTokens(doc);
    formatLines(doc);
    const ms = performance.now() - t0;
    assert.strictEqual(diags.length, 1000, 'capped at maxNumberOfProblems');
    assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
  });
});
