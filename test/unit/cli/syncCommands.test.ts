import * as crypto from 'crypto';
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { once } from 'events';
import { errorLine, multitool, tempRoot } from './cliSupport';

describe('multitool replication commands', () => {
  let root: string;
  let a: string;
  let b: string;
  const T = '/vobs/dev';
  const at = (home: string, ...args: string[]): ReturnType<typeof multitool> => multitool(home, root, ...args);

  beforeEach(async () => {
    root = tempRoot('mscli-sync-');
    a = path.join(root, 'a');
    b = path.join(root, 'b');
    await at(a, 'mkhost', '-name', 'boston');
    await at(b, 'mkhost', '-name', 'sanfran');
    await at(a, 'addpeer', 'sanfran', '-address', '127.0.0.1', '-port', '1131', '-home', b);
    await at(b, 'addpeer', 'boston', '-address', '127.0.0.1', '-port', '1130', '-home', a);
    await at(a, 'mkvob', '-tag', T, '-replica', 'boston_hub');
    fs.mkdirSync(path.join(root, 'pk'));
    const ex = await at(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/create', `sanfran:sanfran_hub@${T}`);
    assert.strictEqual(ex.status, 0, ex.err.join('\n'));
    assert.deepStrictEqual(ex.out, [`Generating replica creation packet ${path.join(root, 'pk/create')}`, 'Created replica object "sanfran_hub" for host "sanfran"; import the packet there with "multitool mkreplica -import".']);
    const im = await at(b, 'mkreplica', '-import', '-workdir', 'work', '-tag', T, 'pk/create');
    assert.strictEqual(im.status, 0, im.err.join('\n'));
    assert.match(im.out[0], /^Created replica "sanfran_hub" of VOB "\/vobs\/dev" at \S+ \(2 oplog entries\)\.$/);
    // Incompressible, so that -maxsize splits do not depend on deflate.
    fs.writeFileSync(path.join(root, 'a.c'), crypto.randomBytes(5000));
    await at(a, 'mkelem', '-invob', T, '-from', 'a.c', 'a.c');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('exports in fragments and imports them whatever the order, with the seed\'s messages', async () => {
    const ex = await at(a, 'syncreplica', '-export', '-maxsize', '2k', '-c', 'nightly', '-out', 'pk/upd', `sanfran_hub@${T}`);
    assert.strictEqual(ex.status, 0, ex.err.join('\n'));
    assert.ok(ex.out.length >= 2, ex.out.join('\n'));
    ex.out.forEach((l, i) => assert.strictEqual(l, `Generating synchronization packet ${path.join(root, `pk/upd_${i + 1}`)}`));
    const files = ex.out.map((l) => l.replace('Generating synchronization packet ', '')).reverse();
    const im = await at(b, 'syncreplica', '-import', ...files);
    assert.strictEqual(im.status, 0, im.err.join('\n'));
    assert.ok(im.out.every((l) => /^Applied sync\. packet \S+ to VOB \S+\.vbs$/.test(l)), im.out.join('\n'));
    assert.deepStrictEqual((await at(b, 'digest', '-invob', T)).out, (await at(a, 'digest', '-invob', T)).out);
  });

  it('exits non-zero and keeps the packet when predecessors are missing', async () => {
    await at(a, 'syncreplica', '-export', '-out', 'pk/one', `sanfran_hub@${T}`);
    await at(a, 'mkelem', '-invob', T, 'b.c');
    await at(a, 'syncreplica', '-export', '-out', 'pk/two', `sanfran_hub@${T}`);
    const r = await at(b, 'syncreplica', '-import', 'pk/two');
    assert.strictEqual(r.status, 1);
    assert.match(r.err[0], /^multitool: Error: Sync\. packet \S+pk\/two was not applied to VOB \S+ - packet depends on changes not yet received$/);
    assert.match(r.err[1], /^multitool: Error: Packet requires changes up to 4; VOB has only 2 from replica "boston_hub"\.$/);
    assert.ok(fs.existsSync(path.join(root, 'pk/two')));
    const both = await at(b, 'syncreplica', '-import', 'pk');
    assert.strictEqual(both.status, 0, both.err.join('\n'));
  });

  it('refuses self updates, missing targets, -ship without transport, and mixed -export/-import options', async () => {
    assert.strictEqual(errorLine(await at(a, 'syncreplica', '-export', '-out', 'pk/x', `boston_hub@${T}`)), 'A replica cannot update itself: "boston_hub".');
    assert.match(errorLine(await at(a, 'syncreplica', '-export', '-out', 'pk/x', `nobody@${T}`)), /Replica "nobody" not found in the family of VOB "\/vobs\/dev"/);
    assert.match(errorLine(await at(a, 'syncreplica', '-export', '-fship', `sanfran_hub@${T}`)), /needs store-and-forward shipping/);
    assert.strictEqual(errorLine(await at(a, 'syncreplica', '-export', '-import', 'x')), 'Options -export and -import cannot be used together.');
    assert.strictEqual(errorLine(await at(a, 'syncreplica', 'x')), 'One of -export, -import is required.');
    assert.match(errorLine(await at(a, 'syncreplica', '-export', '-maxsize', '12q', '-out', 'pk/x', `sanfran_hub@${T}`)), /Invalid size "12q" for -maxsize/);
    assert.match(errorLine(await at(a, 'syncreplica', '-export', '-out', 'pk/x', 'sanfran_hub')), /is not a replica selector: use NAME@VOB-TAG/);
    assert.strictEqual(errorLine(await at(b, 'syncreplica', '-import')), 'Missing packet: give packet files or directories, or -receive.');
    assert.strictEqual(errorLine(await at(b, 'syncreplica', '-import', '-receive', 'pk')), 'Give either -receive or packet files and directories, not both.');
    assert.match(errorLine(await at(a, 'syncreplica', '-export', '-out', 'nodir/x', `sanfran_hub@${T}`)), /directory \S+nodir does not exist/);
  });

  it('receives from the incoming bay, removes what it applied, and reports files that are not packets', async () => {
    await at(a, 'syncreplica', '-export', '-out', path.join(b, 'shipping/ms_ship/incoming'), `sanfran_hub@${T}`);
    fs.writeFileSync(path.join(b, 'shipping/ms_ship/incoming/notes.txt'), 'not a packet');
    const r = await at(b, 'syncreplica', '-import', '-receive');
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.strictEqual(r.out.length, 1);
    assert.match(r.err.join('\n'), /Warning: \S+notes.txt is not a sync\. packet; skipped\./);
    assert.deepStrictEqual(fs.readdirSync(path.join(b, 'shipping/ms_ship/incoming')), ['notes.txt']);
    fs.rmSync(path.join(b, 'shipping/ms_ship/incoming/notes.txt'));
    assert.deepStrictEqual((await at(b, 'syncreplica', '-import', '-receive')).out, ['No packets to import in the incoming storage bays.']);
  });

  it('names a file that is not a packet when it is given explicitly', async () => {
    fs.writeFileSync(path.join(root, 'junk'), 'junk');
    const r = await at(b, 'syncreplica', '-import', 'junk');
    assert.strictEqual(r.status, 1);
    assert.match(errorLine(r), /File \S+junk is not a sync\. packet/);
  });

  it('lsreplica, lsepoch and chepoch show and set the rows', async () => {
    const ls = await at(a, 'lsreplica', '-invob', T);
    assert.deepStrictEqual(ls.out, ['For VOB replica "/vobs/dev":', 'replica "boston_hub" (this replica)', 'replica "sanfran_hub"']);
    const long = await at(a, 'lsreplica', '-long');
    assert.ok(long.out.includes('  master replica: boston_hub'));
    const ep = await at(a, 'lsepoch', `sanfran_hub@${T}`);
    assert.strictEqual(ep.out[0], 'For VOB replica "/vobs/dev":');
    assert.strictEqual(ep.out[1], 'Oplog IDs for row "sanfran_hub" (@ sanfran):');
    assert.match(ep.out[2], /^ oid:[0-9a-f-]{36}=0 +\(boston_hub\)$/);
    const set = await at(a, 'chepoch', `sanfran_hub@${T}`, 'boston_hub=2');
    assert.deepStrictEqual(set.out, ['Entry for boston_hub changed from: 0 to 2', 'Epoch row successfully set.']);
    assert.match(errorLine(await at(a, 'chepoch', `boston_hub@${T}`, 'boston_hub=1')), /own row: it is actual/);
    assert.match(errorLine(await at(a, 'chepoch', `sanfran_hub@${T}`, 'boston_hub=50')), /Use -force if that is intended\./);
    assert.strictEqual((await at(a, 'chepoch', '-force', `sanfran_hub@${T}`, 'boston_hub=50')).status, 0);
    const actual = await at(a, 'chepoch', '-actual', `sanfran_hub@${T}`);
    assert.deepStrictEqual(actual.out, ['Entry for boston_hub changed from: 50 to 2', 'Epoch row for "sanfran_hub" successfully set.']);
    assert.strictEqual(errorLine(await at(a, 'chepoch', `sanfran_hub@${T}`)), 'Missing ORIGIN=N.');
  });

  it('chepoch -actual says it needs a connection for a sibling whose home is not on this machine', async () => {
    const c = path.join(root, 'c');
    await at(c, 'mkhost', '-name', 'bangalore');
    await at(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/c', `bangalore:bangalore_hub@${T}`);
    const r = await at(a, 'chepoch', '-actual', `bangalore_hub@${T}`);
    assert.strictEqual(r.status, 1);
    assert.match(errorLine(r), /Cannot read the actual row of replica "bangalore_hub" on host "bangalore": its storage is not reachable from this machine/);
  });

  it('recoverpacket rolls a row back so the next export resends', async () => {
    await at(a, 'syncreplica', '-export', '-out', 'pk/lost', `sanfran_hub@${T}`);
    const r = await at(a, 'recoverpacket', `sanfran_hub@${T}`);
    assert.strictEqual(r.status, 0);
    assert.match(r.out[r.out.length - 1], /^Row for replica "sanfran_hub" reset to where it was before the export of \S+: the next export to it resends the changes of that export and after\.$/);
    const s = await at(a, 'recoverpacket', '-since', '21-Nov-2000.10:00', `sanfran_hub@${T}`);
    assert.strictEqual(s.status, 0, s.err.join('\n'));
    assert.match(errorLine(await at(a, 'recoverpacket', '-since', 'yesterday-ish', `sanfran_hub@${T}`)), /Invalid date-time "yesterday-ish"/);
  });

  it('recoverpacket -since a time between two exports resends the later one, and says after which export the row now is', async () => {
    const first = await at(a, 'syncreplica', '-export', '-out', 'pk/first', `sanfran_hub@${T}`);
    assert.strictEqual(first.status, 0, first.err.join('\n'));
    assert.strictEqual((await at(b, 'syncreplica', '-import', 'pk/first')).status, 0);
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(path.join(root, 'b.c'), crypto.randomBytes(100));
    await at(a, 'mkelem', '-invob', T, '-from', 'b.c', 'b.c');
    await at(a, 'syncreplica', '-export', '-out', 'pk/lost', `sanfran_hub@${T}`);
    const r = await at(a, 'recoverpacket', '-since', between, `sanfran_hub@${T}`);
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.match(r.out[r.out.length - 1], /^Row for replica "sanfran_hub" reset to where it was after the export of \S+: the next export to it resends the changes after that\.$/);
    const again = await at(a, 'syncreplica', '-export', '-out', 'pk/again', `sanfran_hub@${T}`);
    assert.strictEqual((await at(b, 'syncreplica', '-import', 'pk/again')).status, 0);
    assert.deepStrictEqual((await at(b, 'digest', '-invob', T)).out, (await at(a, 'digest', '-invob', T)).out, again.out.join('\n'));
  });

  it('restorereplica bumps the incarnation and lsreplica -long shows the recovery', async () => {
    const r = await at(b, 'restorereplica', '-invob', T);
    assert.strictEqual(r.status, 0);
    assert.match(r.out[0], /^Replica "sanfran_hub" now has incarnation \d+ \(was 0\)\.$/);
    const long = await at(b, 'lsreplica', '-long', '-invob', T);
    assert.ok(long.out.includes('  replica is recovering: expected to receive a recovery update from "boston_hub"'), long.out.join('\n'));
    fs.writeFileSync(path.join(root, 'n.c'), 'n');
    assert.match(errorLine(await at(b, 'mkelem', '-invob', T, 'n.c')), /is recovering after restorereplica/);
  });

  it('syncreplica -import says when it applies the last update a restored replica waited for, and only then', async () => {
    await at(a, 'syncreplica', '-export', '-out', 'pk/first', `sanfran_hub@${T}`);
    assert.strictEqual((await at(b, 'syncreplica', '-import', 'pk/first')).status, 0);
    assert.strictEqual((await at(b, 'restorereplica', '-invob', T)).status, 0);
    await at(b, 'syncreplica', '-export', '-out', 'pk/notice', `boston_hub@${T}`);
    assert.strictEqual((await at(a, 'syncreplica', '-import', 'pk/notice')).status, 0);
    await at(a, 'syncreplica', '-export', '-out', 'pk/answer', `sanfran_hub@${T}`);
    const r = await at(b, 'syncreplica', '-import', 'pk/answer');
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.strictEqual(r.out.length, 2, r.out.join('\n'));
    assert.match(r.out[0], /^Applied sync\. packet \S+answer to VOB /);
    assert.strictEqual(r.out[1], 'Restoration of replica "sanfran_hub" is complete: every sibling it waited for has sent its update, and the replica may be changed again.');
    assert.ok(!(await at(b, 'lsreplica', '-long', '-invob', T)).out.some((l) => l.includes('recovering')));
    const again = await at(b, 'syncreplica', '-import', 'pk/answer');
    assert.strictEqual(again.out.length, 1, again.out.join('\n'));
  });

  it('restorereplica REPLICA... waits only for the siblings named, so a replica object never made does not block it for ever', async () => {
    // paris_hub exists only as an object: its creation packet was never imported anywhere.
    await at(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/paris', `paris:paris_hub@${T}`);
    await at(a, 'syncreplica', '-export', '-out', 'pk/first', `sanfran_hub@${T}`);
    assert.strictEqual((await at(b, 'syncreplica', '-import', 'pk/first')).status, 0);
    assert.match(errorLine(await at(b, 'restorereplica', '-invob', T, 'sanfran_hub')), /^Replica "sanfran_hub" is the replica being restored: name the siblings it is to wait for\.$/);
    assert.match(errorLine(await at(b, 'restorereplica', '-invob', T, 'nosuch')), /^Replica "nosuch" not found in the family of VOB "\/vobs\/dev"/);
    assert.match(errorLine(await at(b, 'restorereplica', '-invob', T, 'boston_hub@/vobs/other')), /^Replica "boston_hub@\/vobs\/other" is not in VOB "\/vobs\/dev"\.$/);
    const r = await at(b, 'restorereplica', '-invob', T, `boston_hub@${T}`);
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.match(r.out[1], /^It is recovering: export to "boston_hub" so they learn/);
    assert.ok((await at(b, 'lsreplica', '-long', '-invob', T)).out.includes('  replica is recovering: expected to receive a recovery update from "boston_hub"'));
    await at(b, 'syncreplica', '-export', '-out', 'pk/notice', `boston_hub@${T}`);
    assert.strictEqual((await at(a, 'syncreplica', '-import', 'pk/notice')).status, 0);
    await at(a, 'syncreplica', '-export', '-out', 'pk/answer', `sanfran_hub@${T}`);
    const done = await at(b, 'syncreplica', '-import', 'pk/answer');
    assert.strictEqual(done.out[1], 'Restoration of replica "sanfran_hub" is complete: every sibling it waited for has sent its update, and the replica may be changed again.');
    assert.ok(!(await at(b, 'lsreplica', '-long', '-invob', T)).out.some((l) => l.includes('recovering')));
  });

  it('mkreplica refuses an existing replica, a packet for another host and a non-creation packet', async () => {
    assert.strictEqual(errorLine(await at(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/again', `sanfran:sanfran_hub@${T}`)), 'Replica sanfran_hub already exists.');
    await at(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/other', `bangalore:bangalore_hub@${T}`);
    assert.match(errorLine(await at(b, 'mkreplica', '-import', '-workdir', 'work', '-tag', '/vobs/x', 'pk/other')), /creates replica "bangalore_hub" on host "bangalore", not on this host \("sanfran"\)/);
    await at(a, 'syncreplica', '-export', '-out', 'pk/upd', `sanfran_hub@${T}`);
    assert.match(errorLine(await at(b, 'mkreplica', '-import', '-workdir', 'work', '-tag', '/vobs/y', 'pk/upd')), /is not a replica-creation packet/);
    assert.match(errorLine(await at(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/z', 'sanfran_hub@/vobs/dev')), /does not name a new replica: use HOST:REPLICA@VOB-TAG/);
  });

  it('mkreplica -export -out DIR/ refuses a directory that does not exist, writing nothing and creating no replica object', async () => {
    assert.strictEqual(errorLine(await at(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'nodir/', `sanfran:paris_hub@${T}`)), `Directory ${path.join(root, 'nodir')}/ does not exist.`);
    assert.ok(!fs.existsSync(path.join(root, 'nodir')), 'no packet file named after the directory');
    assert.ok(!(await at(a, 'lsreplica', '-invob', T)).out.includes('replica "paris_hub"'));
    fs.mkdirSync(path.join(root, 'nodir'));
    const r = await at(a, 'mkreplica', '-export', '-workdir', 'work', '-out', 'nodir/', `sanfran:paris_hub@${T}`);
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.match(r.out[0], /^Generating replica creation packet \S+\/nodir\/repl_boston_hub_\S+_\d+$/);
  });
});

describe('multitool as a process', function () {
  this.timeout(60_000);
  const cli = path.resolve(__dirname, '../../../../dist/cli.js');
  before(function () {
    if (!fs.existsSync(cli)) spawnSync(process.execPath, ['esbuild.js'], { cwd: path.resolve(__dirname, '../../../..'), stdio: 'ignore' });
  });

  it('prints one error line on stderr and exits 1 for a user error, 0 on success', () => {
    const root = tempRoot('mscli-proc-');
    try {
      const env = { ...process.env, MULTISITE_HOME: path.join(root, 'h') };
      const ok = spawnSync(process.execPath, [cli, 'multitool', 'mkhost', '-name', 'boston'], { env, encoding: 'utf8' });
      assert.strictEqual(ok.status, 0, ok.stderr);
      const bad = spawnSync(process.execPath, [cli, 'multitool', 'digest', '-invob', '/vobs/none'], { env, encoding: 'utf8' });
      assert.strictEqual(bad.status, 1);
      assert.strictEqual(bad.stderr, 'multitool: Error: VOB tag "/vobs/none" is not registered on host "boston"; see "multitool lsvob".\n');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('stops quietly when the reader of its output goes away (cat | head)', async () => {
    const root = tempRoot('mscli-pipe-');
    try {
      const env = { ...process.env, MULTISITE_HOME: path.join(root, 'h') };
      const run = (...a: string[]): void => {
        const r = spawnSync(process.execPath, [cli, 'multitool', ...a], { env, cwd: root, encoding: 'utf8' });
        assert.strictEqual(r.status, 0, r.stderr);
      };
      run('mkhost', '-name', 'boston');
      run('mkvob', '-tag', '/vobs/dev', '-replica', 'boston_hub');
      fs.writeFileSync(path.join(root, 'big.txt'), 'a line of text\n'.repeat(400_000));
      run('mkelem', '-invob', '/vobs/dev', '-from', 'big.txt', 'big.txt');
      const child = spawn(process.execPath, [cli, 'multitool', 'cat', '-invob', '/vobs/dev', 'big.txt@@/main/1'], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const [code] = (await once(child, 'close')) as [number | null];
      assert.strictEqual(stderr, '');
      assert.strictEqual(code, 0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
