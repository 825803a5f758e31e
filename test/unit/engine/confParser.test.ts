import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  buildShippingConf,
  configuredClasses,
  loadShippingConf,
  nearestKeyword,
  nextHopFor,
  parseShippingConf,
  receiptHandlerFor,
  reparseShippingConf,
  storageClassFor,
  KEYWORDS,
} from '../../../src/engine/conf';

describe('shipping.conf parser', () => {
  it('splits an entry into keyword and arguments with their columns', () => {
    const p = parseShippingConf('  STORAGE-BAY\t-default   /var/ms_ship\n');
    assert.strictEqual(p.entries.length, 1);
    const e = p.entries[0];
    assert.deepStrictEqual(e.keyword, { text: 'STORAGE-BAY', line: 0, start: 2, end: 13 });
    assert.deepStrictEqual(e.args.map((a) => [a.text, a.start, a.end]), [['-default', 14, 22], ['/var/ms_ship', 25, 37]]);
    assert.strictEqual(e.spec?.name, 'STORAGE-BAY');
  });

  it('treats # lines as comments and a # word after an entry as a trailing comment', () => {
    const p = parseShippingConf('# header\n   # indented\nEXPIRATION -default 14  # two weeks\n');
    assert.deepStrictEqual(p.comments.map((c) => [c.line, c.token.text]), [[0, '# header'], [1, '# indented'], [2, '# two weeks']]);
    assert.deepStrictEqual(p.entries[0].args.map((a) => a.text), ['-default', '14']);
    assert.strictEqual(p.entries[0].trailingComment?.start, 24);
  });

  it('splits lines on \\n, \\r\\n and \\r alike', () => {
    const p = parseShippingConf('ADMINISTRATOR a\r\nADMINISTRATOR b\rADMINISTRATOR c\n');
    assert.deepStrictEqual(p.entries.map((e) => [e.line, e.args[0].text]), [[0, 'a'], [1, 'b'], [2, 'c']]);
    assert.strictEqual(p.lines.length, 4);
  });

  it('keeps an unknown keyword as an entry without a spec', () => {
    const p = parseShippingConf('STORAGE_BAY -default /x');
    assert.strictEqual(p.entries[0].spec, undefined);
    assert.strictEqual(p.entries[0].args.length, 2);
  });

  it('reads file and next-line suppression comments with their codes', () => {
    const p = parseShippingConf('# shipping-conf-disable port-range, size-zero -- legacy\n#shipping-conf-disable-next-line\n\n# note\nMAX-DATA-SIZE 0\n');
    assert.deepStrictEqual(
      p.suppressions.map((s) => [s.line, s.scope, s.codes.map((c) => c.text), s.targetLine]),
      [
        [0, 'file', ['port-range', 'size-zero'], undefined],
        [1, 'next-line', [], 4],
      ],
    );
    const c = p.suppressions[0].codes[1];
    assert.strictEqual(p.lines[0].slice(c.start, c.end), 'size-zero');
  });

  it('reparses an edited text to exactly what a fresh parse gives (seeded random edits)', () => {
    const seed = process.env.REPARSE_SEED ? Number(process.env.REPARSE_SEED) : Math.floor(Math.random() * 2 ** 31);
    let state = seed;
    const rnd = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const base = [
      '# shipping-conf-disable-next-line size-zero',
      'MAX-DATA-SIZE 0',
      'STORAGE-BAY -default /b  # c',
      '',
      '# shipping-conf-disable-next-line',
      '# note',
      'ROUTE hub a b',
      'EXPIRATION -default 14',
    ];
    const pieces = ['#', ' ', 'x', 'shipping-conf-disable-next-line ', 'ROUTE', '-', '\t', ''];
    for (let round = 0; round < 500; round++) {
      const before = base.map((l) => (rnd() < 0.3 ? l.slice(0, Math.floor(rnd() * l.length)) + pieces[Math.floor(rnd() * pieces.length)] : l));
      const after = before.map((l) => (rnd() < 0.2 ? pieces[Math.floor(rnd() * pieces.length)] + l.slice(Math.floor(rnd() * (l.length + 1))) : l));
      if (rnd() < 0.1) after.push('ADMINISTRATOR root');
      const prev = parseShippingConf(before.join('\n'));
      const prevCopy = JSON.stringify(prev);
      const text = after.join('\n');
      assert.deepStrictEqual(reparseShippingConf(prev, text), parseShippingConf(text), `round ${round}, replay with REPARSE_SEED=${seed}`);
      assert.strictEqual(JSON.stringify(prev), prevCopy, `the previous parse was changed (REPARSE_SEED=${seed})`);
    }
  });

  it('parses binary junk without throwing and keeps every line', () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    const p = parseShippingConf(junk);
    assert.ok(p.lines.length > 1);
    assert.ok(p.entries.every((e) => e.keyword.end > e.keyword.start));
  });
});

describe('shipping.conf keywords', () => {
  it('suggests the nearest keyword for typos, other case and underscores', () => {
    assert.strictEqual(nearestKeyword('STORAGE_BAY'), 'STORAGE-BAY');
    assert.strictEqual(nearestKeyword('expiration'), 'EXPIRATION');
    assert.strictEqual(nearestKeyword('CLEARCASE-MIN-PORT'), 'CLEARCASE_MIN_PORT');
    assert.strictEqual(nearestKeyword('RECIEPT-HANDLER'), 'RECEIPT-HANDLER');
    assert.strictEqual(nearestKeyword('HELLO'), undefined);
  });

  it('documents every keyword with arguments, default, snippet and example', () => {
    for (const k of KEYWORDS) {
      assert.ok(k.args.length > 0 && k.doc.length > 40 && k.defaultText && k.snippet.startsWith(k.name) && k.example.startsWith(k.name), k.name);
    }
  });
});

describe('shipping.conf configuration model', () => {
  it('applies the defaults to an empty file', () => {
    const conf = buildShippingConf(parseShippingConf(''), { home: '/h' });
    assert.strictEqual(conf.maxDataSizeKb, 2097151);
    assert.deepStrictEqual(conf.administrators, ['root']);
    assert.strictEqual(conf.notificationProgram, undefined);
    assert.strictEqual(conf.downhostTimeoutMinutes, 0);
    const d = conf.classes.get('-default')!;
    assert.deepStrictEqual([d.storageBays, d.returnBays, d.expirationDays], [['/h/shipping/ms_ship'], ['/h/shipping/ms_rtn'], 14]);
    assert.deepStrictEqual(configuredClasses(conf), ['-default']);
  });

  it('reads every entry, with sizes in KB and classes by exact name', () => {
    const conf = buildShippingConf(
      parseShippingConf(
        [
          'MAX-DATA-SIZE 512m',
          'NOTIFICATION-PROGRAM /usr/bin/notify',
          'ADMINISTRATOR ops@example.com',
          'ADMINISTRATOR root',
          'STORAGE-BAY nightly /bays/n1',
          'STORAGE-BAY nightly /bays/n2',
          'RETURN-BAY nightly /bays/nr',
          'EXPIRATION nightly 3',
          'STORAGE-BAY cq_default /bays/cq',
          'RECEIPT-HANDLER -default /bin/sync_receive',
          'ROUTE hub a b',
          'ROUTE gw -default',
          'CLEARCASE_MIN_PORT 50000',
          'CLEARCASE_MAX_PORT 60000',
          'DOWNHOST-TIMEOUT 30',
        ].join('\n'),
      ),
      { home: '/h' },
    );
    assert.strictEqual(conf.maxDataSizeKb, 512 * 1024);
    assert.strictEqual(conf.notificationProgram, '/usr/bin/notify');
    assert.deepStrictEqual(conf.administrators, ['ops@example.com', 'root']);
    assert.deepStrictEqual(conf.classes.get('nightly'), { name: 'nightly', storageBays: ['/bays/n1', '/bays/n2'], returnBays: ['/bays/nr'], expirationDays: 3, receiptHandler: undefined });
    assert.strictEqual(conf.classes.get('cq_default')!.expirationDays, undefined, 'cq_default has no default expiration');
    assert.deepStrictEqual([conf.minPort, conf.maxPort, conf.downhostTimeoutMinutes], [50000, 60000, 30]);
    assert.strictEqual(receiptHandlerFor(conf, 'nightly'), '/bin/sync_receive', 'falls back to the -default handler');
    assert.strictEqual(nextHopFor(conf, 'a'), 'hub');
    assert.strictEqual(nextHopFor(conf, 'zurich'), 'gw');
    assert.strictEqual(storageClassFor(conf, 'nightly').name, 'nightly');
    assert.strictEqual(storageClassFor(conf, 'unknown').name, '-default', 'unconfigured classes use -default');
    assert.strictEqual(storageClassFor(conf, undefined).name, '-default');
  });

  it('skips unusable entries and keeps the first of a single-valued entry', () => {
    const conf = buildShippingConf(parseShippingConf('MAX-DATA-SIZE 3g\nMAX-DATA-SIZE 100\nMAX-DATA-SIZE 200\nSTORAGE-BAY x relative/path\nEXPIRATION -default soon\nCLEARCASE_MIN_PORT 80'));
    assert.strictEqual(conf.maxDataSizeKb, 100);
    assert.strictEqual(conf.classes.get('x'), undefined);
    assert.strictEqual(conf.classes.get('-default')!.expirationDays, 14);
    assert.strictEqual(conf.minPort, undefined);
  });

  it('reads MAX-DATA-SIZE 0 as the default, or as no limit when asked', () => {
    const p = parseShippingConf('MAX-DATA-SIZE 0');
    assert.strictEqual(buildShippingConf(p).maxDataSizeKb, 2097151);
    assert.strictEqual(buildShippingConf(p, { zeroMaxDataSize: 'unlimited' }).maxDataSizeKb, Infinity);
  });

  describe('loadShippingConf', () => {
    let home: string;
    beforeEach(() => (home = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-conf-'))));
    afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

    it('reads the host home config/shipping.conf', () => {
      fs.mkdirSync(path.join(home, 'config'));
      fs.writeFileSync(path.join(home, 'config', 'shipping.conf'), 'EXPIRATION -default 5\n');
      const conf = loadShippingConf(home);
      assert.strictEqual(conf.path, path.join(home, 'config', 'shipping.conf'));
      assert.strictEqual(conf.classes.get('-default')!.expirationDays, 5);
      assert.deepStrictEqual(conf.classes.get('-default')!.storageBays, [path.join(home, 'shipping', 'ms_ship')]);
    });

    it('gives the defaults when the home has no shipping.conf', () => {
      assert.strictEqual(loadShippingConf(home).maxDataSizeKb, 2097151);
    });
  });
});
