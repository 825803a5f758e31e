import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProgram } from '../../../src/cli/run';

describe('multitool checkconf', () => {
  let home: string;
  let out: string[];
  let err: string[];
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-checkconf-'));
    out = [];
    err = [];
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const run = (...argv: string[]): Promise<number> =>
    runProgram('multitool', ['checkconf', ...argv], { home, cwd: home, env: {}, out: (l) => out.push(l), err: (l) => err.push(l) });
  const write = (name: string, text: string): string => {
    const file = path.join(home, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  it('prints FILE:LINE: message [code] for each problem and exits 1 on errors', async () => {
    write('site.conf', 'MAX-DATA-SIZE 3g\nCLEARCASE_MIN_PORT 49152\n');
    assert.strictEqual(await run('site.conf'), 1);
    assert.deepStrictEqual(out, [
      'site.conf:1: MAX-DATA-SIZE 3g is over the maximum of 2097151 KB (2 GB - 1 KB): use 2047m or less. [size-too-large]',
      'site.conf:2: warning: CLEARCASE_MIN_PORT is set without CLEARCASE_MAX_PORT: set both to give the shipping server its port range. [port-unpaired]',
    ]);
    assert.deepStrictEqual(err, ['multitool: 1 error, 1 warning in site.conf.']);
  });

  it('exits 0 and prints nothing for a clean file, with warnings only it still exits 0', async () => {
    write('ok.conf', 'MAX-DATA-SIZE 512m\n');
    assert.strictEqual(await run('ok.conf'), 0);
    assert.deepStrictEqual([out, err], [[], []]);
    write('warn.conf', 'CLEARCASE_MAX_PORT 65535\n');
    assert.strictEqual(await run('warn.conf'), 0);
    assert.strictEqual(out.length, 1);
  });

  it('checks the host home config/shipping.conf by default, bays on disk included', async () => {
    const file = write('config/shipping.conf', `STORAGE-BAY -default ${home}/shipping/ms_ship\n`);
    assert.strictEqual(await run(), 1);
    assert.deepStrictEqual(out, [`${file}:1: Storage bay "${home}/shipping/ms_ship" for class "-default" does not exist: create it with incoming and outgoing subdirectories. [bay-missing]`]);
    out = [];
    assert.strictEqual(await run('-nofscheck'), 0);
    assert.deepStrictEqual(out, []);
  });

  it('shows hints only with -hints and takes severities with -rule', async () => {
    write('p.conf', 'CLEARCASE_MIN_PORT 2000\nCLEARCASE_MAX_PORT 3000\nMAX-DATA-SIZE 0\n');
    assert.strictEqual(await run('p.conf'), 0);
    assert.deepStrictEqual(out.map((l) => l.replace(/.*\[/, '[')), ['[size-zero]']);
    out = [];
    assert.strictEqual(await run('-hints', '-rule', 'size-zero=error', 'p.conf'), 1);
    assert.deepStrictEqual(out.map((l) => l.replace(/.*\[/, '[')), ['[port-not-dynamic]', '[port-not-dynamic]', '[size-zero]']);
    out = [];
    assert.strictEqual(await run('-rule', 'size-zero=off', 'p.conf'), 0);
    assert.deepStrictEqual(out, []);
  });

  it('checks next hops against the peers of the host home the file belongs to', async () => {
    write('config/site.ini', '[host]\nname = boston\n\n[peer.tokyo]\naddress = 10.0.0.9\nport = 1130\n');
    write('config/shipping.conf', 'ROUTE tokyo sydney\nROUTE gw.example.com paris\n');
    assert.strictEqual(await run('-nofscheck'), 0);
    assert.deepStrictEqual(out.map((l) => l.replace(/^.*:(\d+): warning: .*\[(.*)\]$/, '$1 $2')), ['2 route-unknown-peer']);
    out = [];
    write('elsewhere/shipping.conf', 'ROUTE gw.example.com paris\n');
    assert.strictEqual(await run('-nofscheck', 'elsewhere/shipping.conf'), 0);
    assert.deepStrictEqual(out, [], 'another site\'s file is not checked against this host\'s peers');
  });

  it('honours suppression comments', async () => {
    write('s.conf', '# shipping-conf-disable-next-line size-too-large\nMAX-DATA-SIZE 3g\n');
    assert.strictEqual(await run('s.conf'), 0);
  });

  it('rewrites the file with the safe fixes given -fix and reports what is left', async () => {
    const file = write('f.conf', 'STORAGE_BAY -default /b\nMAX-DATA-SIZE 512MB\nDOWNHOST-TIMEOUT soon\n');
    assert.strictEqual(await run('-fix', '-nofscheck', 'f.conf'), 1);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'STORAGE-BAY -default /b\nMAX-DATA-SIZE 512m\nDOWNHOST-TIMEOUT soon\n');
    assert.deepStrictEqual(err[0], 'multitool: Fixed 2 problems in f.conf.');
    assert.deepStrictEqual(out.map((l) => l.replace(/.*\[/, '[')), ['[downhost-timeout-invalid]']);
  });

  it('says clearly when the file cannot be read or the options are wrong', async () => {
    assert.strictEqual(await run('missing.conf'), 1);
    assert.deepStrictEqual(err, ['multitool: Error: Unable to read "missing.conf": No such file or directory.']);
    err = [];
    assert.strictEqual(await run('-rule', 'nope=error', 'x'), 1);
    assert.match(err[0], /^multitool: Error: Invalid -rule "nope=error": use CODE=SEVERITY/);
    err = [];
    assert.strictEqual(await run('a', 'b'), 1);
    assert.strictEqual(err[0], 'multitool: Error: checkconf takes at most one FILE.');
  });
});
