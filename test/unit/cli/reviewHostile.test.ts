import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { errorLine, multitool, type Ran, replicatedHosts, succeed, tempRoot } from './cliSupport';

/** Rewrites a packet's header fields and signs it again with another host's private key. */
function resign(src: string, dest: string, privateKeyFile: string, patch: Record<string, unknown>): void {
  const b = fs.readFileSync(src);
  const h = b.readUInt32BE(8);
  const header = { ...(JSON.parse(b.subarray(12, 12 + h).toString('utf8')) as Record<string, unknown>), ...patch };
  const body = b.subarray(12 + h + 64);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12);
  b.copy(prefix, 0, 0, 8);
  prefix.writeUInt32BE(json.length, 8);
  const signed = Buffer.concat([prefix, json]);
  const sig = crypto.sign(null, signed, crypto.createPrivateKey(fs.readFileSync(privateKeyFile)));
  fs.writeFileSync(dest, Buffer.concat([signed, sig, body]));
}

describe('review: a demanding administrator and hostile packets', function () {
  this.timeout(30000);
  let root: string;
  let a: string;
  let b: string;
  let c: string;
  const T = '/vobs/dev';
  const at = (home: string, ...args: string[]): Promise<Ran> => multitool(home, root, ...args);
  const ok = (home: string, ...args: string[]): Promise<Ran> => succeed(home, root, ...args);
  const digest = async (home: string, tag = T): Promise<string> => (await ok(home, 'digest', '-invob', tag)).out.join('\n');

  beforeEach(async () => {
    root = tempRoot('msreview-');
    [a, b, c] = await replicatedHosts(root, ['boston', 'sanfran', 'paris'], T);
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    fs.writeFileSync(path.join(root, 'v2'), 'two\n');
    fs.writeFileSync(path.join(root, 'v3'), 'three\n');
    await ok(a, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses element pathnames that climb out of the VOB, are absolute, hold "." or are empty, in one line each', async () => {
    for (const p of ['../evil', '/etc/evil', 'a/../../b', 'dir/./x', '']) {
      const r = await at(a, 'mkelem', '-invob', T, '-from', 'v1', p);
      assert.strictEqual(r.status, 1, p);
      assert.strictEqual(r.err.length, 1, r.err.join('\n'));
      assert.match(errorLine(r), /^Refusing path ".*": an element pathname must be relative to the VOB root/);
    }
  });

  it('quarantines a packet re-signed by a configured peer that does not host the replica that generated it', async () => {
    await ok(a, 'syncreplica', '-export', '-out', 'pk/p1', `sanfran_hub@${T}`);
    // paris is a configured peer of sanfran with a valid key, but boston_hub lives on boston.
    resign(path.join(root, 'pk/p1'), path.join(root, 'pk/forged'), path.join(c, 'config/keys/host_ed25519.pem'), { sendingHost: 'paris' });
    const r = await at(b, 'syncreplica', '-import', 'pk/forged');
    assert.notStrictEqual(r.status, 0);
    assert.match(r.out.concat(r.err).join('\n'), /signed by host "paris", but that replica is on host "boston"/);
    assert.notStrictEqual((await at(b, 'lsvtree', '-invob', T, 'a.c')).status, 0, 'nothing of the forged packet was applied');
    assert.ok(fs.readdirSync(path.join(b, 'shipping/quarantine')).includes('forged'));
    // The genuine packet still applies.
    await ok(b, 'syncreplica', '-import', 'pk/p1');
    assert.strictEqual(await digest(b), await digest(a));
  });

  it('refuses -maxsize 0 and sizes over 2 GB in one line without exporting anything', async () => {
    for (const s of ['0', '3g', '1.5m', '-1']) {
      const r = await at(a, 'syncreplica', '-export', '-maxsize', s, '-out', 'pk/never', `sanfran_hub@${T}`);
      assert.strictEqual(r.status, 1, s);
      assert.strictEqual(r.err.length, 1, r.err.join('\n'));
      assert.match(errorLine(r), /size ".*" for -maxsize/i);
    }
    assert.deepStrictEqual(fs.readdirSync(path.join(root, 'pk')).sort(), ['create']);
  });

  it('quarantines a packet re-signed by a host that is not a peer, and one whose header was altered under a real host name', async () => {
    await ok(a, 'syncreplica', '-export', '-out', 'pk/p1', `sanfran_hub@${T}`);
    const evil = path.join(root, 'evil');
    await ok(evil, 'mkhost', '-name', 'evil');
    const key = path.join(evil, 'config/keys/host_ed25519.pem');
    resign(path.join(root, 'pk/p1'), path.join(root, 'pk/unknown'), key, { sendingHost: 'evil' });
    resign(path.join(root, 'pk/p1'), path.join(root, 'pk/posing'), key, {});
    const before = await digest(b);
    const r1 = await at(b, 'syncreplica', '-import', 'pk/unknown');
    assert.strictEqual(r1.status, 1);
    assert.match(errorLine(r1), /signed by host "evil", which is not a known peer of this host.*moved to .*quarantine/);
    const r2 = await at(b, 'syncreplica', '-import', 'pk/posing');
    assert.strictEqual(r2.status, 1);
    assert.match(errorLine(r2), /bad signature for host "boston".*moved to .*quarantine/);
    assert.strictEqual(await digest(b), before);
    assert.ok(!fs.existsSync(path.join(root, 'pk/unknown')) && !fs.existsSync(path.join(root, 'pk/posing')));
    await ok(b, 'syncreplica', '-import', 'pk/p1');
    assert.strictEqual(await digest(b), await digest(a));
  });

  it('after chmaster the old master is refused, a stale packet from it is harmless, and the new master\'s work converges', async () => {
    await ok(a, 'syncreplica', '-export', '-out', 'pk/p1', `sanfran_hub@${T}`);
    await ok(a, 'chmaster', '-invob', T, 'sanfran_hub', 'brtype:main');
    const refused = await at(a, 'checkin', '-invob', T, '-from', 'v2', 'a.c');
    assert.strictEqual(errorLine(refused), 'Unable to check in "a.c" in replica "boston_hub": master replica of branch type "main" is "sanfran_hub".');
    await ok(a, 'syncreplica', '-export', '-out', 'pk/p2', `sanfran_hub@${T}`);
    await ok(b, 'syncreplica', '-import', 'pk/p2', 'pk/p1');
    await ok(b, 'checkin', '-invob', T, '-from', 'v2', 'a.c');
    const again = await ok(b, 'syncreplica', '-import', 'pk/p1');
    assert.match(again.out[0], /was already applied/);
    await ok(b, 'syncreplica', '-export', '-out', 'pk/p3', `boston_hub@${T}`);
    await ok(a, 'syncreplica', '-import', 'pk/p3');
    assert.strictEqual(await digest(a), await digest(b));
    const tree = (await ok(a, 'lsvtree', '-invob', T, 'a.c')).out;
    assert.strictEqual(tree[tree.length - 1], 'a.c@@/main/2');
  });

  it('a replica restored from backup accepts only imports until its sibling answers, and quarantines packets for its old incarnation', async () => {
    await ok(a, 'chmaster', '-invob', T, 'sanfran_hub', 'brtype:main');
    await ok(a, 'syncreplica', '-export', '-out', 'pk/p1', `sanfran_hub@${T}`);
    await ok(b, 'syncreplica', '-import', 'pk/p1');
    const backup = path.join(root, 'backup');
    fs.cpSync(path.join(b, 'vobs'), backup, { recursive: true });
    await ok(b, 'checkin', '-invob', T, '-from', 'v2', 'a.c');
    await ok(b, 'syncreplica', '-export', '-out', 'pk/p2', `boston_hub@${T}`);
    await ok(a, 'syncreplica', '-import', 'pk/p2');
    fs.rmSync(path.join(b, 'vobs'), { recursive: true });
    fs.cpSync(backup, path.join(b, 'vobs'), { recursive: true });
    await ok(b, 'restorereplica', '-invob', T);
    const blocked = await at(b, 'checkin', '-invob', T, '-from', 'v3', 'a.c');
    assert.match(errorLine(blocked), /recovering after restorereplica/);
    await ok(b, 'syncreplica', '-export', '-out', 'pk/r1', `boston_hub@${T}`);
    await ok(a, 'syncreplica', '-import', 'pk/r1');
    await ok(a, 'syncreplica', '-export', '-out', 'pk/r2', `sanfran_hub@${T}`);
    await ok(b, 'syncreplica', '-import', 'pk/r2');
    const v3 = await ok(b, 'checkin', '-invob', T, '-from', 'v3', 'a.c');
    assert.strictEqual(v3.out[0], 'Checked in "a.c" version "/main/3".');
    await ok(b, 'syncreplica', '-export', '-out', 'pk/r3', `boston_hub@${T}`);
    await ok(a, 'syncreplica', '-import', 'pk/r3');
    assert.strictEqual(await digest(a), await digest(b));
    fs.copyFileSync(path.join(root, 'pk/p1'), path.join(root, 'pk/p1again'));
    const old = await at(b, 'syncreplica', '-import', 'pk/p1again');
    assert.strictEqual(old.status, 1);
    assert.match(errorLine(old), /^Replica incarnation for "sanfran_hub" is old: 0 should be \d+; the packet was moved to /);
  });

  it('a hub forwards another site\'s changes, and one packet for two targets split in fragments converges at both in reverse order', async () => {
    await ok(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/createC', `paris:paris_hub@${T}`);
    await ok(c, 'mkreplica', '-import', '-workdir', 'work', '-tag', '/vobs/other', 'pk/createC');
    await ok(a, 'syncreplica', '-export', '-out', 'pk/ab', `sanfran_hub@${T}`);
    await ok(b, 'syncreplica', '-import', 'pk/ab');
    await ok(b, 'syncreplica', '-export', '-out', 'pk/bc', `paris_hub@${T}`);
    await ok(c, 'syncreplica', '-import', 'pk/bc');
    assert.strictEqual(await digest(c, '/vobs/other'), await digest(a));
    fs.writeFileSync(path.join(root, 'big'), crypto.randomBytes(6000));
    await ok(a, 'checkin', '-invob', T, '-from', 'big', 'a.c');
    await ok(a, 'mkelem', '-invob', T, '-from', 'big', 'b.c');
    const ex = await ok(a, 'syncreplica', '-export', '-maxsize', '4k', '-out', 'pk/multi', `sanfran_hub@${T}`, `paris_hub@${T}`);
    const files = ex.out.map((l) => l.replace('Generating synchronization packet ', ''));
    assert.ok(files.length >= 2, ex.out.join('\n'));
    await ok(c, 'syncreplica', '-import', ...[...files].reverse());
    await ok(b, 'syncreplica', '-import', ...[...files].reverse());
    const want = await digest(a);
    assert.strictEqual(await digest(b), want);
    assert.strictEqual(await digest(c, '/vobs/other'), want);
    const ls = await ok(c, 'lspacket', files[0]);
    assert.ok(ls.out.join('\n').split('\n').includes('  paris_hub [ local to this network ] tag: /vobs/other'), ls.out.join('\n'));
  });
});
