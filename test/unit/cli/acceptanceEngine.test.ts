import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import * as os from 'os';
import { spawn, spawnSync } from 'child_process';
import { errorLine, multitool, replicatedHosts, succeed, tempRoot } from './cliSupport';

/** Found in an acceptance walk-through of the core engine (hosts, storage, VOB content, export). */
describe('multitool as an administrator meets it (acceptance walk-through)', () => {
  let root: string;
  beforeEach(() => {
    root = tempRoot('mscli-accept-');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('addpeer refuses its own host name, a private key file, and a key that is this host\'s own, recording nothing', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    await succeed(a, root, 'mkhost', '-name', 'boston');
    await succeed(b, root, 'mkhost', '-name', 'sanfran');
    const before = fs.readFileSync(path.join(a, 'config', 'site.ini'), 'utf8');
    assert.strictEqual(errorLine(await multitool(a, root, 'addpeer', 'boston', '-address', '127.0.0.1', '-port', '1', '-home', b)), 'Host "boston" is this host; a host is not its own peer.');
    // The peer's private key would give its public half; it must not be taken (nor leave its host).
    const priv = await multitool(a, root, 'addpeer', 'sanfran', '-address', '127.0.0.1', '-port', '1', '-key', 'b/config/keys/host_ed25519.pem');
    assert.match(errorLine(priv), /^File .*b\/config\/keys\/host_ed25519\.pem holds a private key; give the peer's public key/);
    // This host's own public key under a peer's name: packets signed here would pass as that peer's.
    const own = await multitool(a, root, 'addpeer', 'sanfran', '-address', '127.0.0.1', '-port', '1', '-key', 'a/config/keys/host_ed25519.pub.pem');
    assert.match(errorLine(own), /holds the public key of this host \("boston"\), not a key of its own for "sanfran"/);
    // A home copied from this one (not made with mkhost) carries the same key.
    const copy = path.join(root, 'copy');
    fs.cpSync(a, copy, { recursive: true });
    const ini = path.join(copy, 'config', 'site.ini');
    fs.writeFileSync(ini, fs.readFileSync(ini, 'utf8').replace('name = boston', 'name = tokyo'));
    const copied = await multitool(a, root, 'addpeer', 'tokyo', '-address', '127.0.0.1', '-port', '1', '-home', copy);
    assert.match(errorLine(copied), /^The host home .*copy has the public key of this host \("boston"\), not a key of its own for "tokyo"; each host needs its own key pair/);
    assert.strictEqual(fs.readFileSync(path.join(a, 'config', 'site.ini'), 'utf8'), before);
    // The peer's own public key is still taken.
    await succeed(a, root, 'addpeer', 'sanfran', '-address', '127.0.0.1', '-port', '1', '-key', 'b/config/keys/host_ed25519.pub.pem');
  });

  it('syncreplica -export -maxsize warns of an oversized fragment only once it is written, and says when the change alone would fit', async () => {
    const [boston] = await replicatedHosts(root);
    for (const f of ['a.bin', 'b.bin']) {
      // Random bytes: stored and sent at about their own size, 5,000 bytes each.
      fs.writeFileSync(path.join(root, f), crypto.randomBytes(5000));
      await succeed(boston, root, 'mkelem', '-invob', '/vobs/dev', '-from', f, f);
    }
    fs.mkdirSync(path.join(root, 'out'));
    fs.writeFileSync(path.join(root, 'out', 'z_2'), 'taken');
    const failed = await multitool(boston, root, 'syncreplica', '-export', '-maxsize', '6', '-out', 'out/z', 'sanfran_hub@/vobs/dev');
    assert.match(errorLine(failed), /out\/z_2: a file of that name already exists/);
    assert.deepStrictEqual(failed.err.filter((l) => l.startsWith('multitool: Warning:')), [], 'no warning about packets that were not written');
    assert.deepStrictEqual(fs.readdirSync(path.join(root, 'out')), ['z_2']);
    fs.rmSync(path.join(root, 'out', 'z_2'));
    const r = await succeed(boston, root, 'syncreplica', '-export', '-maxsize', '6', '-out', 'out/z', 'sanfran_hub@/vobs/dev');
    const warnings = r.err.filter((l) => l.startsWith('multitool: Warning:'));
    assert.ok(warnings.length >= 1, r.err.join('\n'));
    for (const w of warnings) {
      assert.match(w, /out\/z_\d is \d+ bytes, larger than the maximum size of 6144 bytes: it carries one change of \d+ bytes, which fits alone but not with the packet's \d+ bytes of header and signature, and a change is never divided between packets\.$/);
      assert.ok(fs.existsSync(/Packet (\S+) is/.exec(w)?.[1] as string), w);
    }
  });

  it('syncreplica -export raises each target\'s row to the own row, so the next export to it carries nothing it was sent', async () => {
    const [boston, sanfran, bangalore] = await replicatedHosts(root, ['boston', 'sanfran', 'bangalore']);
    await succeed(boston, root, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/create_c', 'bangalore:bangalore_hub@/vobs/dev');
    await succeed(bangalore, root, 'mkreplica', '-import', '-workdir', 'work', '-tag', '/vobs/dev', 'pk/create_c');
    fs.writeFileSync(path.join(root, 'v.c'), 'one\n');
    await succeed(boston, root, 'mkelem', '-invob', '/vobs/dev', '-from', 'v.c', 'v.c');
    /** boston's entry count in `row` as boston's lsepoch prints it. */
    const bostonIn = async (row: string): Promise<number> => {
      const out = (await succeed(boston, root, 'lsepoch', `${row}@/vobs/dev`)).out;
      return Number(/=(\d+) +\(boston_hub\)$/.exec(out.find((l) => l.endsWith('(boston_hub)')) as string)?.[1]);
    };
    const own = await bostonIn('boston_hub');
    assert.ok(own >= 3, `own row ${own}`);
    const bangaloreBefore = await bostonIn('bangalore_hub');
    fs.mkdirSync(path.join(root, 'out'));
    await succeed(boston, root, 'syncreplica', '-export', '-out', 'out/first', 'sanfran_hub@/vobs/dev');
    assert.strictEqual(await bostonIn('sanfran_hub'), own, 'the target\'s row is raised at once (export assumes success)');
    assert.strictEqual(await bostonIn('bangalore_hub'), bangaloreBefore, 'a target not named keeps its row');
    assert.match((await succeed(boston, root, 'lspacket', '-long', 'out/first')).out.join('\n'), /boston_hub \([0-9a-f-]+\)\n +first oplog id is 1\n/);
    // The next export to sanfran carries none of boston's entries; one to both carries them for bangalore, then both rows are level.
    await succeed(boston, root, 'syncreplica', '-export', '-out', 'out/second', 'sanfran_hub@/vobs/dev');
    assert.doesNotMatch((await succeed(boston, root, 'lspacket', '-long', 'out/second')).out.join('\n'), /first oplog id/);
    await succeed(boston, root, 'syncreplica', '-export', '-out', 'out/both', 'sanfran_hub@/vobs/dev', 'bangalore_hub@/vobs/dev');
    assert.match((await succeed(boston, root, 'lspacket', '-long', 'out/both')).out.join('\n'), /first oplog id is 1\n/);
    assert.deepStrictEqual([await bostonIn('sanfran_hub'), await bostonIn('bangalore_hub')], [own, own]);
    for (const [home, p] of [[sanfran, 'out/first'], [bangalore, 'out/both']]) await succeed(home, root, 'syncreplica', '-import', p);
    const digests = await Promise.all([boston, sanfran, bangalore].map(async (h) => (await succeed(h, root, 'digest', '-invob', '/vobs/dev')).out[0]));
    assert.deepStrictEqual(new Set(digests).size, 1, digests.join(' '));
  });

  it('mkhost refuses while another mkhost is making the same home, and takes over from one that was killed', async () => {
    // Two at once each wrote a key pair and a site.ini, the last of each winning: both said
    // "Created", and site.ini could name the public key of the other's private key.
    const home = path.join(root, 'h');
    fs.mkdirSync(path.join(home, 'config'), { recursive: true });
    const lock = path.join(home, 'config', 'mkhost.lock');
    const holder = (pid: number): string => JSON.stringify({ pid, host: os.hostname(), command: 'mkhost', since: new Date().toISOString(), token: 'x' });
    fs.writeFileSync(lock, holder(process.pid));
    const busy = await multitool(home, root, 'mkhost', '-name', 'boston');
    assert.match(errorLine(busy), new RegExp(`^Cannot make .*h a host home: process ${process.pid} on .* \\(mkhost, since .*\\) is making it one now\\.$`));
    assert.deepStrictEqual(fs.readdirSync(path.join(home, 'config')), ['mkhost.lock'], 'no key, no site.ini');
    // A holder that no longer runs (killed): its lock is broken and the home made, keys matching site.ini.
    fs.writeFileSync(lock, holder(spawnSync(process.execPath, ['-e', '0']).pid as number));
    await succeed(home, root, 'mkhost', '-name', 'boston');
    assert.ok(!fs.existsSync(lock));
    const ini = /key = "([^"]+)"/.exec(fs.readFileSync(path.join(home, 'config', 'site.ini'), 'utf8'))?.[1];
    const fromPrivate = crypto.createPublicKey(crypto.createPrivateKey(fs.readFileSync(path.join(home, 'config', 'keys', 'host_ed25519.pem')))).export({ type: 'spki', format: 'der' }).toString('base64');
    assert.strictEqual(ini, fromPrivate);
  });

  it('addpeer waits for another addpeer changing site.ini, and keeps the peer that one added', async () => {
    // Two at once each read site.ini, added their peer and wrote it whole: one peer was lost,
    // and both said "Added" (2 or 3 of 4 peers kept, run in the background from a setup script).
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    await succeed(a, root, 'mkhost', '-name', 'boston');
    await succeed(b, root, 'mkhost', '-name', 'sanfran');
    const ini = path.join(a, 'config', 'site.ini');
    const lock = path.join(a, 'config', 'site.lock');
    // The other command: reads site.ini, holds the lock for 400 ms, then writes back what it read
    // (its own change would be in it; what anyone else wrote meanwhile would be lost).
    const other = spawn(process.execPath, ['-e', `
      const fs = require('fs'), os = require('os');
      const text = fs.readFileSync(${JSON.stringify(ini)}, 'utf8');
      fs.writeFileSync(${JSON.stringify(lock)}, JSON.stringify({ pid: process.pid, host: os.hostname(), command: 'addpeer', since: new Date().toISOString(), token: 't' }), { flag: 'wx' });
      setTimeout(() => {
        fs.writeFileSync(${JSON.stringify(ini)}, text);
        fs.rmSync(${JSON.stringify(lock)});
      }, 400);`]);
    const exited = new Promise((resolve) => other.on('exit', resolve));
    while (!fs.existsSync(lock)) await new Promise((r) => setTimeout(r, 5));
    const r = await succeed(a, root, 'addpeer', 'sanfran', '-address', '127.0.0.1', '-port', '1132', '-home', b);
    assert.deepStrictEqual(r.out, [`Added peer "sanfran" (127.0.0.1:1132), home ${b}.`]);
    assert.strictEqual(await exited, 0);
    const text = fs.readFileSync(ini, 'utf8');
    assert.match(text, /\[peer\.sanfran\]/, text);
  });

  it('syncreplica -export -out DIR/ with a trailing slash refuses a directory that does not exist, writing nothing and raising no row', async () => {
    const [boston] = await replicatedHosts(root);
    const row = async (): Promise<string[]> => (await succeed(boston, root, 'lsepoch', 'sanfran_hub@/vobs/dev')).out;
    const before = await row();
    // "-out pkts/" wrote a packet file named "pkts" (and raised the row), not a packet in a directory.
    assert.strictEqual(errorLine(await multitool(boston, root, 'syncreplica', '-export', '-out', 'pkts/', 'sanfran_hub@/vobs/dev')), `Directory ${path.join(root, 'pkts')}/ does not exist.`);
    assert.ok(!fs.existsSync(path.join(root, 'pkts')));
    assert.deepStrictEqual(await row(), before);
    fs.mkdirSync(path.join(root, 'pkts'));
    const r = await succeed(boston, root, 'syncreplica', '-export', '-out', 'pkts/', 'sanfran_hub@/vobs/dev');
    assert.match(r.out[0], new RegExp(`^Generating synchronization packet ${path.join(root, 'pkts')}/sync_boston_hub_`));
  });

  it('syncreplica -export and mkreplica -export refuse an -out file that exists before any work: no row raised, no replica object made', async () => {
    const [boston] = await replicatedHosts(root);
    const taken = path.join(root, 'taken');
    fs.writeFileSync(taken, 'an administrator\'s file');
    const expected = `Cannot write packet ${taken}: a file of that name already exists; remove it or choose another name.`;
    const row = async (): Promise<string[]> => (await succeed(boston, root, 'lsepoch', 'sanfran_hub@/vobs/dev')).out;
    const before = await row();
    assert.strictEqual(errorLine(await multitool(boston, root, 'syncreplica', '-export', '-out', 'taken', 'sanfran_hub@/vobs/dev')), expected);
    assert.deepStrictEqual(await row(), before);
    // mkreplica -export made the replica object first and failed at the end, after writing the packet.
    assert.strictEqual(errorLine(await multitool(boston, root, 'mkreplica', '-export', '-workdir', 'work', '-out', 'taken', 'paris:paris_hub@/vobs/dev')), expected);
    assert.ok(!(await succeed(boston, root, 'lsreplica', '-invob', '/vobs/dev')).out.some((l) => l.includes('paris_hub')));
    assert.strictEqual(fs.readFileSync(taken, 'utf8'), 'an administrator\'s file');
    assert.deepStrictEqual(fs.readdirSync(root).filter((n) => n.startsWith('taken') || n.startsWith('.taken')), ['taken']);
  });
});
