import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { errorLine, multitool, tempRoot, type Ran } from './cliSupport';

/** Errors that come from the user or the machine are one line and exit 1, never a stack. */
describe('errors users and machines cause', () => {
  let root: string;
  let home: string;
  const T = '/vobs/dev';
  const ok = async (...args: string[]): Promise<Ran> => {
    const r = await multitool(home, root, ...args);
    assert.strictEqual(r.status, 0, `${args.join(' ')}: ${r.err.join('\n')}`);
    return r;
  };

  beforeEach(async () => {
    root = tempRoot('mserrors-');
    home = path.join(root, 'boston');
    await ok('mkhost', '-name', 'boston');
    await ok('mkvob', '-tag', T, '-replica', 'boston_hub');
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await ok('mkelem', '-invob', T, '-from', 'v1', 'a.c');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses an option given twice instead of keeping the last value', async () => {
    const r = await multitool(home, root, 'mkbrtype', '-invob', '/vobs/nope', '-invob', T, 'rel1');
    assert.strictEqual(errorLine(r), 'Option "-invob" given twice.');
    assert.strictEqual(r.status, 1);
  });

  it('says "no space left on device" in one line when the disk is full, with exit status 1', async () => {
    // /dev/full: Linux's always-full device, so the test needs no small file system of its own.
    const r = await multitool(home, root, 'cat', '-invob', T, '-to', '/dev/full', 'a.c@@/main/1');
    assert.strictEqual(r.status, 1, r.err.join('\n'));
    assert.strictEqual(r.err.length, 1, r.err.join('\n'));
    assert.match(errorLine(r), /^Cannot write.*: no space left on device\. Nothing was changed/);
    // Written to, not replaced by a file renamed over it (cat -to replaces regular files only).
    assert.ok(fs.statSync('/dev/full').isCharacterDevice(), '/dev/full is no longer a device');
  });

  it('warns that an unconfigured storage class means the -default class when receiving', async () => {
    const r = await multitool(home, root, 'syncreplica', '-import', '-receive', '-sclass', 'nosuch');
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.deepStrictEqual(r.err, ['multitool: Warning: Storage class "nosuch" is not configured in shipping.conf: receiving from the bays of class -default.']);
  });

  it('warns when a new replica is placed on a host that is not a peer, whose packets would be refused', async () => {
    const r = await multitool(home, root, 'mkreplica', '-export', '-workdir', 'w', '-out', 'creation', `nohost:far_hub@${T}`);
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.ok(r.err.some((l) => l.startsWith('multitool: Warning: Host "nohost" is not a peer of host "boston"')), r.err.join('\n'));
    assert.ok(fs.existsSync(path.join(root, 'creation')));
  });
});
