import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  applyEdits,
  fixAllEdits,
  parseShippingConf,
  RULES,
  validateShippingConf,
  type ConfDiagnostic,
  type ConfFileSystem,
  type ValidateOptions,
} from '../../../src/engine/conf';

function check(text: string, opts: ValidateOptions = {}): ConfDiagnostic[] {
  return validateShippingConf(parseShippingConf(text), opts);
}

/** "LINE code" for each diagnostic: what the rule tests compare. */
function codes(text: string, opts: ValidateOptions = {}): string[] {
  return check(text, opts).map((d) => `${d.range.start.line + 1} ${d.code}`);
}

function only(text: string, code: string, opts: ValidateOptions = {}): ConfDiagnostic {
  const found = check(text, opts);
  assert.deepStrictEqual(found.map((d) => d.code), [code], JSON.stringify(found.map((d) => d.message)));
  return found[0];
}

/** Applies the fix titled `title` of the only diagnostic. */
function fixed(text: string, code: string, title?: string): string {
  const d = only(text, code);
  const fix = title ? d.fixes?.find((f) => f.title === title) : d.fixes?.[0];
  assert.ok(fix, `no fix ${title ?? ''} in ${JSON.stringify(d.fixes?.map((f) => f.title))}`);
  return applyEdits(text, fix.edits);
}

describe('shipping.conf validator', () => {
  it('accepts a complete, correct file without a word', () => {
    const text = [
      '# store-and-forward settings',
      'MAX-DATA-SIZE 2047m',
      'NOTIFICATION-PROGRAM /opt/ms/bin/notify',
      'ADMINISTRATOR ccadmin@example.com',
      'ADMINISTRATOR root',
      'STORAGE-BAY -default /var/ms/ms_ship',
      'RETURN-BAY -default /var/ms/ms_rtn',
      'STORAGE-BAY cq_default /var/ms/cq',
      'EXPIRATION cq_default 7',
      'EXPIRATION -default 0',
      'ROUTE hub.example.com sydney.example.com 10.0.0.7',
      'ROUTE gw.example.com -default',
      'RECEIPT-HANDLER -default /opt/ms/sync_receive',
      'CLEARCASE_MIN_PORT 49152',
      'CLEARCASE_MAX_PORT 65535',
      'DOWNHOST-TIMEOUT 30',
    ].join('\n');
    assert.deepStrictEqual(codes(text), []);
  });

  describe('keywords and arguments', () => {
    it('names the nearest keyword for an unknown one, and fixes it', () => {
      const d = only('STORAGE_BAY -default /x', 'unknown-keyword');
      assert.strictEqual(d.message, 'Unknown keyword "STORAGE_BAY": did you mean STORAGE-BAY?');
      assert.deepStrictEqual([d.range.start.character, d.range.end.character], [0, 11]);
      assert.strictEqual(fixed('STORAGE_BAY -default /x', 'unknown-keyword'), 'STORAGE-BAY -default /x');
    });

    it('lists the keywords when nothing is close', () => {
      assert.match(only('HELLO world', 'unknown-keyword').message, /^Unknown keyword "HELLO": an entry starts with MAX-DATA-SIZE, .* comments start with #\.$/);
    });

    it('recognises a path wrapped onto its own line and joins it back', () => {
      const text = 'RECEIPT-HANDLER -default\n/opt/ms/sync_receive\n';
      assert.deepStrictEqual(codes(text), ['1 missing-argument', '2 unknown-keyword']);
      const d = check(text)[1];
      assert.match(d.message, /starts with the path "\/opt\/ms\/sync_receive" instead of a keyword: an entry must fit on one line/);
      assert.strictEqual(applyEdits(text, d.fixes![0].edits), 'RECEIPT-HANDLER -default /opt/ms/sync_receive\n');
    });

    it('says which arguments are missing', () => {
      assert.strictEqual(
        only('STORAGE-BAY /var/ms', 'missing-argument').message,
        'STORAGE-BAY needs 2 arguments (STORAGE-BAY storage-class directory-pathname); 1 given: add the directory-pathname.',
      );
      assert.strictEqual(only('ROUTE hub', 'missing-argument').message, 'ROUTE needs 2 or more arguments (ROUTE next-hop host ...); 1 given: add the host.');
    });

    it('reports extra arguments and splits two entries written on one line', () => {
      const text = 'CLEARCASE_MIN_PORT 50000 CLEARCASE_MAX_PORT 60000';
      const d = only(text, 'extra-argument');
      assert.strictEqual(d.message, 'CLEARCASE_MIN_PORT takes 1 argument, and "CLEARCASE_MAX_PORT" starts another entry: put each entry on its own line.');
      assert.strictEqual(applyEdits(text, d.fixes![0].edits), 'CLEARCASE_MIN_PORT 50000\nCLEARCASE_MAX_PORT 60000');
      assert.strictEqual(fixed('EXPIRATION -default 14 days', 'extra-argument', 'Remove the extra argument'), 'EXPIRATION -default 14');
    });

    it('moves a trailing comment above its entry', () => {
      assert.strictEqual(fixed('  EXPIRATION -default 14   # two weeks', 'trailing-comment'), '  # two weeks\n  EXPIRATION -default 14');
    });

    it('reports a single-valued entry given twice and deletes the repeat', () => {
      const text = 'MAX-DATA-SIZE 100m\nEXPIRATION x 1\nMAX-DATA-SIZE 200m\nSTORAGE-BAY x /b\n';
      const d = only(text, 'duplicate-entry');
      assert.strictEqual(d.message, 'MAX-DATA-SIZE is given twice (first on line 1): keep one.');
      assert.strictEqual(d.related?.[0].range.start.line, 0);
      assert.strictEqual(applyEdits(text, d.fixes![0].edits), 'MAX-DATA-SIZE 100m\nEXPIRATION x 1\nSTORAGE-BAY x /b\n');
      assert.deepStrictEqual(codes('EXPIRATION -default 1\nEXPIRATION -default 2\nEXPIRATION cq 3\nSTORAGE-BAY cq /b'), ['2 duplicate-entry']);
      assert.deepStrictEqual(codes('ADMINISTRATOR root\nADMINISTRATOR root\nADMINISTRATOR ops'), ['2 duplicate-entry']);
    });
  });

  describe('MAX-DATA-SIZE', () => {
    it('rejects a value that is not a size', () => {
      assert.strictEqual(only('MAX-DATA-SIZE 1.5g', 'size-syntax').message, 'MAX-DATA-SIZE "1.5g" is not a size: use an integer with an optional k, m or g suffix (no suffix = KB).');
      only('MAX-DATA-SIZE -5', 'size-syntax');
    });

    it('rejects a suffix other than k, m or g and rewrites MB as m', () => {
      assert.strictEqual(only('MAX-DATA-SIZE 512MB', 'size-suffix').message, 'MAX-DATA-SIZE "512MB" has an unknown suffix "MB": use k, m or g (no suffix = KB).');
      assert.strictEqual(fixed('MAX-DATA-SIZE 512MB', 'size-suffix'), 'MAX-DATA-SIZE 512m');
      assert.strictEqual(only('MAX-DATA-SIZE 10x', 'size-suffix').fixes, undefined);
    });

    it('rejects sizes over 2097151 KB and offers sizes that fit', () => {
      const d = only('MAX-DATA-SIZE 2g', 'size-too-large');
      assert.strictEqual(d.message, 'MAX-DATA-SIZE 2g is over the maximum of 2097151 KB (2 GB - 1 KB): use 2047m or less.');
      assert.deepStrictEqual(d.fixes!.map((f) => [f.title, f.preferred]), [['Change to 1g', false], ['Change to 2047m', true], ['Change to 2097151 (the maximum, in KB)', false]]);
      assert.strictEqual(fixed('MAX-DATA-SIZE 5000m', 'size-too-large'), 'MAX-DATA-SIZE 2047m');
      assert.deepStrictEqual(codes('MAX-DATA-SIZE 2097151\nMAX-DATA-SIZE 2097152'), ['2 duplicate-entry', '2 size-too-large']);
      only('MAX-DATA-SIZE 99999999999999999999', 'size-too-large');
    });

    it('explains MAX-DATA-SIZE 0 in the chosen reading', () => {
      assert.match(only('MAX-DATA-SIZE 0', 'size-zero').message, /means the default, 2097151 KB/);
      assert.match(only('MAX-DATA-SIZE 0', 'size-zero', { zeroMaxDataSize: 'unlimited' }).message, /means no limit here/);
    });
  });

  describe('programs, administrators and bays (text only)', () => {
    it('rejects relative programs', () => {
      assert.strictEqual(only('NOTIFICATION-PROGRAM notify', 'program-not-absolute').message, 'NOTIFICATION-PROGRAM "notify" is not an absolute path: write the program\'s full path, starting with /.');
      only('RECEIPT-HANDLER -default bin/sync_receive', 'program-not-absolute');
    });

    it('accepts mail addresses and user names, and rejects anything else', () => {
      assert.deepStrictEqual(codes('ADMINISTRATOR a.b+c@mail.example.com\nADMINISTRATOR root\nADMINISTRATOR ops_team'), []);
      assert.strictEqual(only('ADMINISTRATOR ccadmin@', 'administrator-invalid').message, 'ADMINISTRATOR "ccadmin@" is neither a mail address nor a user name: use name@domain or a local user such as root.');
      only('ADMINISTRATOR <root>', 'administrator-invalid');
    });

    it('rejects relative bays', () => {
      assert.strictEqual(only('STORAGE-BAY -default shipping/ms_ship', 'bay-not-absolute').message, 'STORAGE-BAY "shipping/ms_ship" for class "-default" is not an absolute path: write the full path, starting with /.');
    });
  });

  describe('storage classes', () => {
    it('allows 64 storage classes and reports the 65th', () => {
      const lines = Array.from({ length: 65 }, (_, i) => `STORAGE-BAY class${i} /bays/c${i}`);
      assert.deepStrictEqual(codes(lines.slice(0, 64).join('\n')), []);
      const d = only(lines.join('\n'), 'too-many-classes');
      assert.strictEqual(d.message, 'Storage class "class64" is class number 65: at most 64 storage classes are allowed; let kinds of packets share a class.');
    });

    it('reports names that differ only in case and renames to the first spelling', () => {
      const text = 'STORAGE-BAY nightly /b\nEXPIRATION Nightly 7';
      const d = only(text, 'class-case-conflict');
      assert.strictEqual(d.message, 'Storage class "Nightly" differs from "nightly" (line 1) only in case: class names are case-sensitive, so these are two classes; use one spelling.');
      assert.strictEqual(applyEdits(text, d.fixes![0].edits), 'STORAGE-BAY nightly /b\nEXPIRATION nightly 7');
    });

    it('reports a typographic dash pasted from documentation', () => {
      assert.strictEqual(fixed('STORAGE-BAY \u2013default /b', 'class-name-invalid'), 'STORAGE-BAY -default /b');
    });

    it('reports settings for a class without a storage bay, never for -default', () => {
      assert.deepStrictEqual(codes('EXPIRATION nightyl 7\nRECEIPT-HANDLER other /bin/x\nRETURN-BAY third /r\nEXPIRATION -default 3'), ['1 class-without-bay', '2 class-without-bay', '3 class-without-bay']);
      assert.strictEqual(check('EXPIRATION nightyl 7')[0].message, 'EXPIRATION for class "nightyl" has no effect: the class has no STORAGE-BAY; add one or correct the class name.');
    });

    it('asks for an EXPIRATION for cq_default and adds one', () => {
      assert.strictEqual(fixed('STORAGE-BAY cq_default /cq\nROUTE a b', 'expiration-required'), 'STORAGE-BAY cq_default /cq\nEXPIRATION cq_default 14\nROUTE a b');
    });

    it('rejects an expiration that is not a whole number of days', () => {
      assert.strictEqual(only('EXPIRATION -default two-weeks', 'expiration-invalid').message, 'EXPIRATION "two-weeks" for class "-default" is not a number of days: use a whole number, 0 or more (0 = never expire).');
      only('EXPIRATION -default -1', 'expiration-invalid');
    });
  });

  describe('routes', () => {
    it('reports a next hop among its own destinations and removes it', () => {
      const text = 'ROUTE hub hub tokyo';
      assert.strictEqual(only(text, 'route-self').message, 'ROUTE sends packets for "hub" to "hub" itself: a next hop cannot be one of its own destinations; remove it.');
      assert.strictEqual(fixed(text, 'route-self'), 'ROUTE hub tokyo');
    });

    it('reports a destination routed twice', () => {
      const d = only('ROUTE hub1 tokyo paris\nROUTE hub2 tokyo', 'route-duplicate-destination');
      assert.strictEqual(d.message, 'Host "tokyo" is already routed through "hub1" on line 1: give each destination one route.');
      assert.strictEqual(fixed('ROUTE hub1 tokyo paris\nROUTE hub2 rome tokyo', 'route-duplicate-destination'), 'ROUTE hub1 tokyo paris\nROUTE hub2 rome');
    });

    it('reports route cycles, also through the -default route', () => {
      const d = only('ROUTE a.example.com b.example.com\nROUTE b.example.com a.example.com', 'route-cycle');
      assert.match(d.message, /^ROUTE entries form a cycle: packets for "(a|b).example.com" go to/);
      assert.strictEqual(d.range.start.line, 1);
      assert.deepStrictEqual(codes('ROUTE hub -default\nROUTE spoke hub'), ['2 route-cycle']);
      assert.deepStrictEqual(codes('ROUTE hub -default\nROUTE hub spoke\nROUTE x y z'), []);
      assert.deepStrictEqual(codes('ROUTE b a\nROUTE c b\nROUTE d c\nROUTE a d'), ['4 route-cycle']);
    });

    it('allows one -default route only', () => {
      const d = only('ROUTE h1 -default\nROUTE h2 -default', 'route-multiple-default');
      assert.strictEqual(d.message, 'A -default route is already given on line 1 (via "h1"): only one ROUTE may use -default.');
    });

    it('wants next hops to be peers in site.ini, by name or address, when the peers are known', () => {
      const peers = ['boston', 'tokyo', '10.0.0.9'];
      const d = only('ROUTE gw.example.com a b', 'route-unknown-peer', { peers });
      assert.strictEqual(d.message, 'ROUTE next hop "gw.example.com" is not a peer of this host (site.ini): the shipping server delivers only to peers; add it with multitool addpeer or route through a peer.');
      assert.deepStrictEqual(codes('ROUTE tokyo far1 far2\nROUTE 10.0.0.9 -default', { peers }), []);
      assert.deepStrictEqual(codes('ROUTE gw a\nROUTE gw b', { peers }), ['1 route-unknown-peer'], 'once per hop');
      assert.deepStrictEqual(codes('ROUTE gw a'), [], 'no site.ini, no check');
    });

    it('rejects malformed host names and addresses', () => {
      assert.deepStrictEqual(codes('ROUTE hub-1.example.com 10.1.2.3 ::1 fe80::1 sydney'), []);
      assert.deepStrictEqual(
        check('ROUTE hub_1 300.1.2.3 a..b -x.com').map((d) => d.message),
        [
          'ROUTE host "hub_1" contains "_", which host names cannot: use letters, digits, dots and hyphens.',
          'ROUTE host "300.1.2.3" is not a valid IP address: use four numbers from 0 to 255 separated by dots.',
          'ROUTE host "a..b" has an empty label (two dots together, or a leading dot).',
          'ROUTE host "-x.com" is not a valid host name: use letters, digits, dots and hyphens (not at the start or end of a label), or a numeric IP address.',
        ],
      );
      assert.match(only('ROUTE -default a', 'host-invalid').message, /next hop cannot be -default/);
    });
  });

  describe('ports and timeout', () => {
    it('checks each port against its own range', () => {
      assert.strictEqual(check('CLEARCASE_MIN_PORT 49152\nCLEARCASE_MAX_PORT 70000')[0].message, 'CLEARCASE_MAX_PORT 70000 is out of range: use 1025 through 65535.');
      assert.deepStrictEqual(codes('CLEARCASE_MIN_PORT 1023\nCLEARCASE_MAX_PORT 65535'), ['1 port-range']);
      assert.deepStrictEqual(codes('CLEARCASE_MIN_PORT 65535\nCLEARCASE_MAX_PORT 1024'), ['1 port-range', '2 port-range']);
      assert.strictEqual(check('CLEARCASE_MIN_PORT low\nCLEARCASE_MAX_PORT 65535')[0].message, 'CLEARCASE_MIN_PORT "low" is not a port number: use 1024 through 65534.');
    });

    it('requires MAX above MIN and swaps them', () => {
      const text = 'CLEARCASE_MIN_PORT 65000\nCLEARCASE_MAX_PORT 50000';
      assert.strictEqual(only(text, 'port-order').message, 'CLEARCASE_MAX_PORT 50000 must be greater than CLEARCASE_MIN_PORT 65000 (line 1): swap them.');
      assert.strictEqual(fixed(text, 'port-order'), 'CLEARCASE_MIN_PORT 50000\nCLEARCASE_MAX_PORT 65000');
      assert.deepStrictEqual(codes('CLEARCASE_MIN_PORT 50000\nCLEARCASE_MAX_PORT 50000'), ['2 port-order']);
    });

    it('asks for both ports and adds the missing one', () => {
      assert.strictEqual(fixed('CLEARCASE_MIN_PORT 50000', 'port-unpaired'), 'CLEARCASE_MIN_PORT 50000\nCLEARCASE_MAX_PORT 65535');
      assert.strictEqual(fixed('ADMINISTRATOR root\nCLEARCASE_MAX_PORT 60000', 'port-unpaired'), 'ADMINISTRATOR root\nCLEARCASE_MIN_PORT 49152\nCLEARCASE_MAX_PORT 60000');
    });

    it('hints at the Dynamic/Private range', () => {
      const d = check('CLEARCASE_MIN_PORT 2000\nCLEARCASE_MAX_PORT 60000');
      assert.deepStrictEqual(d.map((x) => [x.code, x.severity]), [['port-not-dynamic', 'hint']]);
      assert.strictEqual(d[0].message, 'CLEARCASE_MIN_PORT 2000 is outside the Dynamic/Private range 49152–65535, the recommended range for the shipping server.');
    });

    it('rejects a timeout that is not whole minutes', () => {
      assert.strictEqual(only('DOWNHOST-TIMEOUT 1h', 'downhost-timeout-invalid').message, 'DOWNHOST-TIMEOUT "1h" is not a number of minutes: use a whole number, 0 or more (0 = off).');
    });
  });

  describe('suppressions and severities', () => {
    it('silences a code on the next entry line only', () => {
      const text = '# shipping-conf-disable-next-line size-zero\n\n# why\nMAX-DATA-SIZE 0\nDOWNHOST-TIMEOUT x\n';
      assert.deepStrictEqual(codes(text), ['5 downhost-timeout-invalid']);
    });

    it('silences every code on a line when none is named, and codes in the whole file', () => {
      assert.deepStrictEqual(codes('# shipping-conf-disable-next-line\nFOO bar\nBAR foo'), ['3 unknown-keyword']);
      assert.deepStrictEqual(codes('FOO\n# shipping-conf-disable unknown-keyword,size-zero\nBAR\nMAX-DATA-SIZE 0\nDOWNHOST-TIMEOUT x'), ['5 downhost-timeout-invalid']);
    });

    it('reports a misspelt code in a suppression and suggests the right one', () => {
      const text = '# shipping-conf-disable-next-line port-ranges\nCLEARCASE_MIN_PORT 1';
      const d = check(text);
      assert.deepStrictEqual(d.map((x) => x.code), ['unknown-suppression-code', 'port-unpaired', 'port-range']);
      assert.strictEqual(d[0].message, 'Unknown code "port-ranges" in a suppression comment: did you mean port-range?');
      assert.strictEqual(applyEdits(text, d[0].fixes![0].edits), '# shipping-conf-disable-next-line port-range\nCLEARCASE_MIN_PORT 1');
    });

    it('applies severity overrides and turns codes off', () => {
      const d = check('MAX-DATA-SIZE 0\nDOWNHOST-TIMEOUT x', { severities: { 'size-zero': 'error', 'downhost-timeout-invalid': 'off' } });
      assert.deepStrictEqual(d.map((x) => [x.code, x.severity]), [['size-zero', 'error']]);
    });
  });

  describe('on disk', () => {
    let root: string;
    beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-confdisk-'))));
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    const disk: ValidateOptions = { fileSystemChecks: true };

    it('accepts a bay with incoming and outgoing and an executable program', () => {
      fs.mkdirSync(path.join(root, 'bay', 'incoming'), { recursive: true });
      fs.mkdirSync(path.join(root, 'bay', 'outgoing'));
      fs.writeFileSync(path.join(root, 'notify'), '#!/bin/sh\n', { mode: 0o755 });
      assert.deepStrictEqual(codes(`STORAGE-BAY -default ${root}/bay\nNOTIFICATION-PROGRAM ${root}/notify`, disk), []);
    });

    it('reports a missing bay and creates it with its subdirectories as the fix', () => {
      const d = only(`STORAGE-BAY -default ${root}/nobay`, 'bay-missing', disk);
      assert.strictEqual(d.message, `Storage bay "${root}/nobay" for class "-default" does not exist: create it with incoming and outgoing subdirectories.`);
      assert.deepStrictEqual(d.fixes![0].mkdirs, [`${root}/nobay/incoming`, `${root}/nobay/outgoing`]);
      fs.writeFileSync(path.join(root, 'file'), '');
      assert.match(only(`RETURN-BAY -default ${root}/file`, 'bay-missing', disk).message, /^Return bay ".*" for class "-default" is not a directory/);
    });

    it('reports missing incoming or outgoing folders', () => {
      fs.mkdirSync(path.join(root, 'bay', 'incoming'), { recursive: true });
      const d = only(`STORAGE-BAY -default ${root}/bay`, 'bay-subdir-missing', disk);
      assert.strictEqual(d.message, `Storage bay "${root}/bay" has no "outgoing" subdirectory: create ${root}/bay/outgoing.`);
      assert.deepStrictEqual(d.fixes![0].mkdirs, [`${root}/bay/outgoing`]);
    });

    it('reports missing and non-executable programs', () => {
      assert.strictEqual(only(`NOTIFICATION-PROGRAM ${root}/none`, 'program-missing', disk).message, `NOTIFICATION-PROGRAM "${root}/none" does not exist: install the program there or correct the path.`);
      fs.writeFileSync(path.join(root, 'script'), 'x', { mode: 0o644 });
      assert.match(only(`RECEIPT-HANDLER -default ${root}/script`, 'program-not-executable', disk).message, /is not executable: make it executable \(chmod \+x\)/);
      assert.match(only(`RECEIPT-HANDLER -default ${root}`, 'program-not-executable', disk).message, /is a directory, not a program/);
    });

    it('reports subdirectories on different file systems and bays it cannot write', () => {
      const fake: ConfFileSystem = {
        stat: (p) => ({ isDirectory: true, isFile: false, dev: p.endsWith('outgoing') ? 2 : 1 }),
        canWrite: (p) => !p.endsWith('incoming'),
        canExecute: () => true,
      };
      assert.deepStrictEqual(codes('STORAGE-BAY -default /bay', { fileSystemChecks: true, fs: fake }), ['1 bay-cross-filesystem', '1 bay-not-writable']);
      assert.match(check('STORAGE-BAY -default /bay', { fileSystemChecks: true, fs: fake })[1].message, /^Storage bay "\/bay" is not writable by this user \(\/bay\/incoming\)/);
    });

    it('asks nothing of the disk when file-system checks are off', () => {
      const asked: string[] = [];
      const spy: ConfFileSystem = { stat: (p) => (asked.push(p), undefined), canWrite: () => false, canExecute: () => false };
      assert.deepStrictEqual(codes(`STORAGE-BAY -default ${root}/nobay\nNOTIFICATION-PROGRAM /none`, { fs: spy }), []);
      assert.deepStrictEqual(asked, []);
    });
  });

  it('has a test above for every rule in the table', () => {
    const src = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'unit', 'engine', 'confValidator.test.ts'), 'utf8');
    const untested = RULES.map((r) => r.code).filter((c) => !src.includes(`'${c}'`) && !src.includes(` ${c}'`));
    assert.deepStrictEqual(untested, []);
  });

  it('fix-all applies every preferred fix that does not overlap another', () => {
    const text = 'STORAGE_BAY -default /b\nMAX-DATA-SIZE 512MB\nCLEARCASE_MIN_PORT 65000\nCLEARCASE_MAX_PORT 50000\nEXPIRATION -default 14 # two weeks\n';
    const { edits, count } = fixAllEdits(check(text));
    assert.strictEqual(count, 4);
    assert.strictEqual(applyEdits(text, edits), 'STORAGE-BAY -default /b\nMAX-DATA-SIZE 512m\nCLEARCASE_MIN_PORT 50000\nCLEARCASE_MAX_PORT 65000\n# two weeks\nEXPIRATION -default 14\n');
  });

  it('fixes keep the line ends of a CRLF file', () => {
    const text = 'CLEARCASE_MIN_PORT 50000 CLEARCASE_MAX_PORT 60000\r\nEXPIRATION -default 14 # two weeks\r\n';
    assert.strictEqual(applyEdits(text, fixAllEdits(check(text)).edits), 'CLEARCASE_MIN_PORT 50000\r\nCLEARCASE_MAX_PORT 60000\r\n# two weeks\r\nEXPIRATION -default 14\r\n');
  });
});
