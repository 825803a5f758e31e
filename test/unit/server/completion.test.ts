import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InsertTextFormat, type CompletionItem, type MarkupContent } from 'vscode-languageserver';
import { computeCompletion } from '../../../src/server/services/completion';
import { at, ctx, doc } from './serverHelpers';

const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);

describe('completion service', () => {
  it('offers every keyword with a snippet and its documentation at the start of a line', () => {
    const text = 'MAX-DATA-SIZE 1g\n\n';
    const list = computeCompletion(doc(text), { line: 1, character: 0 }, ctx());
    assert.deepStrictEqual(labels(list.items), [
      'MAX-DATA-SIZE', 'NOTIFICATION-PROGRAM', 'ADMINISTRATOR', 'STORAGE-BAY', 'RETURN-BAY', 'EXPIRATION', 'ROUTE', 'RECEIPT-HANDLER', 'CLEARCASE_MIN_PORT', 'CLEARCASE_MAX_PORT', 'DOWNHOST-TIMEOUT',
    ]);
    const bay = list.items.find((i) => i.label === 'STORAGE-BAY')!;
    assert.strictEqual(bay.insertTextFormat, InsertTextFormat.Snippet);
    assert.strictEqual((bay.textEdit as { newText: string }).newText, 'STORAGE-BAY ${1:-default} ${2:/var/multisite/shipping/ms_ship}');
    assert.strictEqual(bay.detail, 'STORAGE-BAY storage-class directory-pathname');
    assert.match((bay.documentation as MarkupContent).value, /incoming.*outgoing/s);
  });

  it('replaces only the keyword being typed when arguments follow, and inserts plain text without snippet support', () => {
    const text = 'EXPIR -default 14';
    const list = computeCompletion(doc(text), { line: 0, character: 3 }, ctx(), { snippets: false });
    const exp = list.items.find((i) => i.label === 'EXPIRATION')!;
    assert.deepStrictEqual(exp.textEdit, { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } }, newText: 'EXPIRATION' });
    assert.strictEqual(exp.insertTextFormat, InsertTextFormat.PlainText);
  });

  it('offers the classes of the file and both built-in classes for a class argument', () => {
    const text = 'STORAGE-BAY nightly /b\nSTORAGE-BAY Weekly /w\nEXPIRATION ';
    const items = computeCompletion(doc(text), { line: 2, character: 11 }, ctx()).items;
    assert.deepStrictEqual(labels(items), ['-default', 'cq_default', 'nightly', 'Weekly']);
    assert.match((items[2].documentation as MarkupContent).value, /Storage bays: `\/b`/);
  });

  it('offers site.ini hosts, other ROUTE hosts and -default for ROUTE destinations', () => {
    const text = 'ROUTE hub tokyo\nROUTE gw ';
    const hosts = [
      { name: 'boston', self: true, file: '/s', line: 0 },
      { name: 'sydney', address: '10.0.0.2', port: 1130, self: false, file: '/s', line: 3 },
    ];
    const items = computeCompletion(doc(text), { line: 1, character: 9 }, ctx({ hosts })).items;
    assert.deepStrictEqual(labels(items), ['boston', 'sydney', 'hub', 'tokyo', '-default']);
    assert.strictEqual(items[1].detail, 'peer in site.ini at 10.0.0.2:1130');
  });

  it('completes directories for bays and files for programs from the disk', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-compl-'));
    try {
      fs.mkdirSync(path.join(root, 'bays'));
      fs.writeFileSync(path.join(root, 'notify'), '');
      const listDir = (d: string) => fs.readdirSync(d, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
      const bayText = `STORAGE-BAY x ${root}/`;
      const bays = computeCompletion(doc(bayText), { line: 0, character: bayText.length }, ctx({ listDir })).items;
      assert.deepStrictEqual(labels(bays), ['bays/']);
      assert.strictEqual(bays[0].textEdit && 'range' in bays[0].textEdit ? bays[0].textEdit.range.start.character : -1, bayText.length);
      const progText = `NOTIFICATION-PROGRAM ${root}/no`;
      const progs = computeCompletion(doc(progText), { line: 0, character: progText.length }, ctx({ listDir })).items;
      assert.deepStrictEqual(labels(progs), ['notify']);
      assert.deepStrictEqual(labels(computeCompletion(doc(progText), { line: 0, character: progText.length }, ctx()).items), [], 'no disk, no paths');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('offers the home\'s own bays before anything is typed', () => {
    const items = computeCompletion(doc('RETURN-BAY -default '), { line: 0, character: 20 }, ctx({ home: '/h' })).items;
    assert.deepStrictEqual(labels(items), ['/h/shipping/ms_ship', '/h/shipping/ms_rtn']);
  });

  it('offers typical values for sizes, ports, days and minutes', () => {
    assert.ok(labels(computeCompletion(doc('MAX-DATA-SIZE '), { line: 0, character: 14 }, ctx()).items).includes('2047m'));
    assert.deepStrictEqual(labels(computeCompletion(doc('CLEARCASE_MAX_PORT '), { line: 0, character: 19 }, ctx()).items), ['65535']);
    assert.deepStrictEqual(labels(computeCompletion(doc('EXPIRATION -default '), { line: 0, character: 20 }, ctx()).items), ['14', '0']);
    assert.deepStrictEqual(labels(computeCompletion(doc('DOWNHOST-TIMEOUT '), { line: 0, character: 17 }, ctx()).items), ['30', '0']);
  });

  it('completes suppression directives and codes inside comments', () => {
    assert.deepStrictEqual(labels(computeCompletion(doc('# ship'), { line: 0, character: 6 }, ctx()).items), ['shipping-conf-disable-next-line', 'shipping-conf-disable']);
    const text = '# shipping-conf-disable-next-line size-zero, port-r';
    const codes = computeCompletion(doc(text), at(text, 'port-r', 6), ctx()).items;
    assert.ok(labels(codes).includes('port-range'));
    assert.deepStrictEqual((codes[0].textEdit as { range: { start: { character: number } } }).range.start.character, text.indexOf('port-r'));
    assert.deepStrictEqual(computeCompletion(doc('# just a note'), { line: 0, character: 13 }, ctx()).items, []);
  });

  it('offers nothing after the last argument', () => {
    assert.deepStrictEqual(computeCompletion(doc('DOWNHOST-TIMEOUT 5 '), { line: 0, character: 19 }, ctx()).items, []);
  });
});

describe('completion service on large files', () => {
  it('offers at most 100 hosts of the file, those matching what is typed, and says the list is incomplete', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `ROUTE hub site${i}.example.com`);
    lines.push('ROUTE gw site12');
    const text = lines.join('\n');
    const d = doc(text);
    const list = computeCompletion(d, { line: 3000, character: 15 }, ctx());
    assert.strictEqual(list.isIncomplete, true);
    assert.strictEqual(list.items.filter((i) => i.detail === 'host named in another ROUTE').length, 100);
    assert.ok(list.items.every((i) => i.label === '-default' || String(i.label).startsWith('site12')));
  });
});
