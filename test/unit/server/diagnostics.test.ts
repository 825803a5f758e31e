import * as assert from 'assert';
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import { computeDiagnostics } from '../../../src/server/services/diagnostics';
import { normalizeSettings } from '../../../src/server/settings';
import { ctx, doc, URI } from './serverHelpers';

describe('diagnostics service', () => {
  it('publishes code, source, a documentation link and related locations', () => {
    const [d] = computeDiagnostics(doc('MAX-DATA-SIZE 1m\nMAX-DATA-SIZE 2m'), ctx());
    assert.strictEqual(d.code, 'duplicate-entry');
    assert.strictEqual(d.source, 'shipping.conf');
    assert.deepStrictEqual(d.codeDescription, { href: 'https://rules.test/duplicate-entry' });
    assert.strictEqual(d.severity, DiagnosticSeverity.Warning);
    assert.deepStrictEqual(d.tags, [DiagnosticTag.Unnecessary]);
    assert.deepStrictEqual(d.relatedInformation, [{ location: { uri: URI, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 16 } } }, message: 'First given here' }]);
  });

  it('applies the severities of the settings', () => {
    const settings = normalizeSettings({ rules: { 'size-zero': 'error', 'port-unpaired': 'off', bogus: 'error', 'size-syntax': 'loud' } });
    assert.deepStrictEqual(settings.rules, { 'size-zero': 'error', 'port-unpaired': 'off' });
    const found = computeDiagnostics(doc('MAX-DATA-SIZE 0\nCLEARCASE_MIN_PORT 50000'), ctx({ settings }));
    assert.deepStrictEqual(found.map((d) => [d.code, d.severity]), [['size-zero', DiagnosticSeverity.Error]]);
  });

  it('caps the number of problems, keeping errors first', () => {
    const text = Array.from({ length: 30 }, (_, i) => (i % 2 ? 'MAX-DATA-SIZE 0' : `BAD${i}`)).join('\n');
    const settings = normalizeSettings({ maxNumberOfProblems: 10 });
    const found = computeDiagnostics(doc(text), ctx({ settings }));
    assert.strictEqual(found.length, 10);
    assert.ok(found.every((d) => d.severity === DiagnosticSeverity.Error));
    assert.ok(found.every((d, i) => i === 0 || d.range.start.line > found[i - 1].range.start.line), 'still in line order');
  });

  it('falls back to safe settings for values of the wrong type', () => {
    const s = normalizeSettings({ fileSystemChecks: 'yes', maxNumberOfProblems: -3, zeroMaxDataSize: 7, rules: [] }, ['/h', 3]);
    assert.deepStrictEqual(s, { rules: {}, fileSystemChecks: true, maxNumberOfProblems: 1000, zeroMaxDataSize: 'default', hosts: ['/h'] });
  });

  it('checks next hops against site.ini peers only in the host\'s own config/shipping.conf', () => {
    const hosts = [{ name: 'boston', self: true, file: '/h/config/site.ini', line: 0 }, { name: 'tokyo', self: false, file: '/h/config/site.ini', line: 3 }];
    const text = 'ROUTE tokyo a\nROUTE gw b';
    const own = { ...doc(text), fsPath: '/h/config/shipping.conf' };
    assert.deepStrictEqual(computeDiagnostics(own, ctx({ home: '/h', hosts })).map((d) => [d.range.start.line, d.code]), [[1, 'route-unknown-peer']]);
    const other = { ...doc(text), fsPath: '/elsewhere/shipping.conf' };
    assert.deepStrictEqual(computeDiagnostics(other, ctx({ home: '/h', hosts })), []);
  });
});
