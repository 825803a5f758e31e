import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { errorLine, multitool, replicatedHosts, succeed, tempRoot } from './cliSupport';
import { runProgram } from '../../../src/cli/run';

/** What a demanding administrator of the original tries at the command line (review, session 6). */
describe('multitool as a demanding administrator uses it', function () {
  this.timeout(60_000);
  let root: string;
  let boston: string;
  let sanfran: string;
  const T = '/vobs/dev';

  beforeEach(async () => {
    root = tempRoot('msadmin-');
    [boston, sanfran] = await replicatedHosts(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('syncreplica -import -receive -invob keeps a bay packet that another local replica of the family still needs', async () => {
    // A second replica of the family on sanfran, under another tag.
    await succeed(boston, root, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/create2', `sanfran:sanfran2@${T}`);
    await succeed(sanfran, root, 'mkreplica', '-import', '-workdir', 'work', '-tag', '/vobs/dev2', 'pk/create2');
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
    await succeed(boston, root, 'syncreplica', '-export', '-out', 'pk/both', `sanfran_hub@${T}`, `sanfran2@${T}`);
    const incoming = path.join(sanfran, 'shipping', 'ms_ship', 'incoming');
    fs.copyFileSync(path.join(root, 'pk', 'both'), path.join(incoming, 'both'));

    const first = await multitool(sanfran, root, 'syncreplica', '-import', '-receive', '-invob', '/vobs/dev2');
    assert.strictEqual(first.status, 0, first.err.join('\n'));
    assert.ok(fs.existsSync(path.join(incoming, 'both')), 'the packet must stay for sanfran_hub, which -invob left out');

    const second = await multitool(sanfran, root, 'syncreplica', '-import', '-receive');
    assert.strictEqual(second.status, 0, second.err.join('\n'));
    assert.ok(second.out.some((l) => l.startsWith(`Applied sync. packet ${path.join(incoming, 'both')} to VOB `)), second.out.join('\n'));
    assert.ok(!fs.existsSync(path.join(incoming, 'both')), 'applied to every local target: removed');
    const at = await succeed(sanfran, root, 'lsvtree', '-invob', T, 'a.c');
    assert.ok(at.out.includes('a.c@@/main/1'), at.out.join('\n'));
  });

  it('syncreplica -import -invob names a VOB tag that is not registered instead of skipping everything and succeeding', async () => {
    await succeed(boston, root, 'syncreplica', '-export', '-out', 'pk/upd', `sanfran_hub@${T}`);
    const r = await multitool(sanfran, root, 'syncreplica', '-import', '-invob', '/vobs/nope', 'pk/upd');
    assert.strictEqual(r.status, 1);
    assert.strictEqual(errorLine(r), 'VOB tag "/vobs/nope" is not registered on host "sanfran"; see "multitool lsvob".');
    assert.deepStrictEqual(r.out, []);
  });

  it('keeps every error and warning on one line when a name it quotes holds a newline or escape', async () => {
    const tag = await multitool(boston, root, 'mkvob', '-tag', '/vobs/a\nb', '-replica', 'x_hub');
    assert.strictEqual(tag.status, 1);
    assert.deepStrictEqual(tag.err, ['multitool: Error: Invalid VOB tag "/vobs/a\\nb": it contains "@" or a control character.']);
    const from = await multitool(boston, root, 'mkelem', '-invob', T, '-from', 'no\ndir/f\x1b', 'a.c');
    assert.deepStrictEqual(from.err, [`multitool: Error: Cannot read "${path.join(root, 'no')}\\ndir/f\\x1b": no such file.`]);
    const option = await multitool(boston, root, 'lsvob', '-lo\nng');
    assert.deepStrictEqual(option.err, ['multitool: Error: Unrecognized option "-lo\\nng".']);
  });

  it('refuses -sclass and -pexpire with -out, and options of the other direction, instead of ignoring them', async () => {
    const cases: [string[], string][] = [
      [['syncreplica', '-export', '-pexpire', '3', '-out', 'pk/u', `sanfran_hub@${T}`], 'Option "-pexpire" goes with -ship or -fship, not -out.'],
      [['syncreplica', '-export', '-sclass', 'c1', '-out', 'pk/u', `sanfran_hub@${T}`], 'Option "-sclass" goes with -ship or -fship, not -out.'],
      [['syncreplica', '-import', '-pexpire', '3', 'pk'], 'Option "-pexpire" is for -export.'],
      [['mkreplica', '-export', '-workdir', 'w', '-pexpire', '3', '-out', 'pk/c', `sanfran:s3@${T}`], 'Option "-pexpire" goes with -ship or -fship, not -out.'],
      [['mkreplica', '-export', '-workdir', 'w', '-sclass', 'c1', '-out', 'pk/c', `sanfran:s3@${T}`], 'Option "-sclass" goes with -ship or -fship, not -out.'],
      [['mkreplica', '-import', '-workdir', 'w', '-tag', '/vobs/x', '-ship', 'pk/create'], 'Option "-ship" is for -export.'],
      [['mkreplica', '-import', '-workdir', 'w', '-tag', '/vobs/x', '-pexpire', '3', 'pk/create'], 'Option "-pexpire" is for -export.'],
    ];
    for (const [argv, message] of cases) {
      const r = await multitool(boston, root, ...argv);
      assert.strictEqual(errorLine(r), message, argv.join(' '));
      assert.strictEqual(r.status, 1);
      assert.deepStrictEqual(r.out, [], argv.join(' '));
    }
    assert.ok(!fs.existsSync(path.join(root, 'pk', 'u')) && !fs.existsSync(path.join(root, 'pk', 'c')));
    const lsreplica = await succeed(boston, root, 'lsreplica', '-invob', T);
    assert.ok(!lsreplica.out.some((l) => l.includes('s3')), lsreplica.out.join('\n'));
  });

  it('refuses a -vob storage inside another replica\'s storage, also through a link, or under a file, in one line', async () => {
    const dev = (await succeed(boston, root, 'lsvob', '-long')).out.find((l) => l.startsWith('  Global path: '))?.slice('  Global path: '.length) as string;
    fs.symlinkSync(dev, path.join(root, 'link'));
    fs.writeFileSync(path.join(root, 'plain'), 'x');
    const cases: [string[], string][] = [
      [['mkvob', '-tag', '/vobs/n1', '-replica', 'n1', '-vob', path.join(dev, 'nested')], `Cannot create storage directory ${path.join(dev, 'nested')}: it is inside the storage of VOB "${T}" (${dev}); choose another with -vob.`],
      [['mkvob', '-tag', '/vobs/n2', '-replica', 'n2', '-vob', 'link/nested'], `Cannot create storage directory ${path.join(root, 'link', 'nested')}: it is inside the storage of VOB "${T}" (${dev}); choose another with -vob.`],
      [['mkvob', '-tag', '/vobs/n3', '-replica', 'n3', '-vob', path.join(dev, 'oplog', 'x')], `Cannot create storage directory ${path.join(dev, 'oplog', 'x')}: ${path.join(dev, 'oplog')} is not a directory; choose another with -vob.`],
      [['mkvob', '-tag', '/vobs/n4', '-replica', 'n4', '-vob', 'plain/x'], `Cannot create storage directory ${path.join(root, 'plain', 'x')}: ${path.join(root, 'plain')} is not a directory; choose another with -vob.`],
    ];
    for (const [argv, message] of cases) {
      const r = await multitool(boston, root, ...argv);
      assert.strictEqual(r.status, 1, r.err.join('\n'));
      assert.deepStrictEqual(r.err, [`multitool: Error: ${message}`]);
    }
    assert.ok(!fs.existsSync(path.join(dev, 'nested')));
    await succeed(boston, root, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/create2', `sanfran:sanfran2@${T}`);
    const sanDev = (await succeed(sanfran, root, 'lsvob', '-long')).out.find((l) => l.startsWith('  Global path: '))?.slice('  Global path: '.length) as string;
    const r = await multitool(sanfran, root, 'mkreplica', '-import', '-workdir', 'work', '-tag', '/vobs/dev2', '-vob', path.join(sanDev, 'in'), 'pk/create2');
    assert.deepStrictEqual(r.err, [`multitool: Error: Cannot create storage directory ${path.join(sanDev, 'in')}: it is inside the storage of VOB "${T}" (${sanDev}); choose another with -vob.`]);
    const ok = await multitool(sanfran, root, 'mkreplica', '-import', '-workdir', 'work', '-tag', '/vobs/dev2', '-vob', 'elsewhere/dev2', 'pk/create2');
    assert.strictEqual(ok.status, 0, ok.err.join('\n'));
  });

  it('syncreplica -export to several VOBs writes nothing and raises no row when a later target is wrong', async () => {
    await succeed(boston, root, 'mkvob', '-tag', '/vobs/y', '-replica', 'y_hub');
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
    const rowBefore = (await succeed(boston, root, 'lsepoch', `sanfran_hub@${T}`)).out;
    fs.mkdirSync(path.join(root, 'out'));
    const cases: [string[], string][] = [
      [[`sanfran_hub@${T}`, 'nope@/vobs/y'], 'Replica "nope" not found in the family of VOB "/vobs/y"; see "multitool lsreplica -invob /vobs/y".'],
      [[`sanfran_hub@${T}`, 'sanfran_hub@/vobs/nope'], 'VOB tag "/vobs/nope" is not registered on host "boston"; see "multitool lsvob".'],
      [[`boston_hub@${T}`, 'y_hub@/vobs/y'], 'A replica cannot update itself: "boston_hub".'],
      [[`boston_hub@${T}`, `boston_hub@${T}`], 'A replica cannot update itself: "boston_hub".'],
    ];
    for (const [targets, message] of cases) {
      const r = await multitool(boston, root, 'syncreplica', '-export', '-out', 'out', ...targets);
      assert.strictEqual(r.status, 1, targets.join(' '));
      assert.strictEqual(errorLine(r), message);
      assert.deepStrictEqual(r.out, []);
      assert.deepStrictEqual(fs.readdirSync(path.join(root, 'out')), [], targets.join(' '));
    }
    assert.deepStrictEqual((await succeed(boston, root, 'lsepoch', `sanfran_hub@${T}`)).out, rowBefore);
    const mixed = await succeed(boston, root, 'syncreplica', '-export', '-out', 'out', `sanfran_hub@${T}`, 'y_hub@/vobs/y');
    assert.deepStrictEqual(mixed.err, ['multitool: Warning: A replica cannot update itself: "y_hub"; skipped.']);
    assert.strictEqual(fs.readdirSync(path.join(root, 'out')).length, 1);
  });

  it('cat -to a directory, into a missing directory or under a file is one error line, not an internal error', async () => {
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
    const cases: [string, string][] = [
      ['pk', 'Cannot write "pk": it is a directory.'],
      ['nodir/x', 'Cannot write "nodir/x": its directory does not exist.'],
      ['v1/x', 'Cannot write "v1/x": a component of the path is not a directory.'],
      ['loop', 'Cannot write "loop": too many levels of symbolic links.'],
    ];
    fs.symlinkSync('loop', path.join(root, 'loop'));
    for (const [to, message] of cases) {
      const r = await multitool(boston, root, 'cat', '-invob', T, '-to', to, 'a.c@@/main/1');
      assert.strictEqual(r.status, 1, r.err.join('\n'));
      assert.deepStrictEqual(r.err, [`multitool: Error: ${message}`]);
    }
    await succeed(boston, root, 'cat', '-invob', T, '-to', 'copy', 'a.c@@/main/1');
    assert.strictEqual(fs.readFileSync(path.join(root, 'copy'), 'utf8'), 'one\n');
    // Through a symbolic link the file it leads to is written (made if missing); the link stays.
    fs.writeFileSync(path.join(root, 'target.txt'), 'old contents, longer than the new\n');
    fs.symlinkSync('target.txt', path.join(root, 'lnk'));
    fs.symlinkSync('made.txt', path.join(root, 'dangling'));
    await succeed(boston, root, 'cat', '-invob', T, '-to', 'lnk', 'a.c@@/main/1');
    await succeed(boston, root, 'cat', '-invob', T, '-to', 'dangling', 'a.c@@/main/1');
    assert.ok(fs.lstatSync(path.join(root, 'lnk')).isSymbolicLink());
    assert.ok(fs.lstatSync(path.join(root, 'dangling')).isSymbolicLink());
    assert.strictEqual(fs.readFileSync(path.join(root, 'target.txt'), 'utf8'), 'one\n');
    assert.strictEqual(fs.readFileSync(path.join(root, 'made.txt'), 'utf8'), 'one\n');
  });

  it('lspacket with no operand names a MULTISITE_HOME that does not exist instead of listing nothing', async () => {
    const missing = path.join(root, 'no-such-home');
    const r = await multitool(missing, root, 'lspacket');
    assert.strictEqual(r.status, 1);
    assert.deepStrictEqual(r.err, [`multitool: Error: ${missing} is not a MultiSite host home (the directory does not exist): run "multitool mkhost -name HOST" with MULTISITE_HOME set to it first.`]);
    await succeed(boston, root, 'syncreplica', '-export', '-out', 'pk/upd', `sanfran_hub@${T}`);
    const named = await succeed(missing, root, 'lspacket', '-short', 'pk/upd');
    assert.deepStrictEqual(named.out, [path.join(root, 'pk', 'upd')]);
  });

  it('mkhost refuses a home under a file, and mkhost and addpeer an address no transport could dial, in one line', async () => {
    fs.writeFileSync(path.join(root, 'plain'), 'x');
    const underFile = await multitool(path.join(root, 'plain', 'home'), root, 'mkhost', '-name', 'tokyo');
    assert.strictEqual(underFile.status, 1, underFile.err.join('\n'));
    assert.deepStrictEqual(underFile.err, [`multitool: Error: Cannot make ${path.join(root, 'plain', 'home')} a host home: ${path.join(root, 'plain')} is not a directory.`]);
    const tokyo = path.join(root, 'tokyo');
    for (const address of ['bad addr', '', 'a\nb']) {
      const mk = await multitool(tokyo, root, 'mkhost', '-name', 'tokyo', '-address', address);
      assert.strictEqual(mk.status, 1);
      assert.strictEqual(errorLine(mk), `Invalid address "${address.replace('\n', '\\n')}": use a host name or an IP address.`);
      const peer = await multitool(boston, root, 'addpeer', 'tokyo', '-address', address, '-port', '1135', '-key', path.join(boston, 'config', 'keys', 'host_ed25519.pub.pem'));
      assert.strictEqual(peer.status, 1);
      assert.strictEqual(errorLine(peer), `Invalid address "${address.replace('\n', '\\n')}": use a host name or an IP address.`);
    }
    assert.ok(!fs.existsSync(tokyo));
    await succeed(tokyo, root, 'mkhost', '-name', 'tokyo', '-address', 'fe80::1%eth0');
    await succeed(boston, root, 'addpeer', 'tokyo', '-address', 'tokyo.example.com', '-port', '1135', '-home', tokyo);
  });

  it('mkreplica -export and -import name a -workdir that is a file in one line, not an internal error', async () => {
    fs.writeFileSync(path.join(root, 'plain'), 'x');
    const ex = await multitool(boston, root, 'mkreplica', '-export', '-workdir', 'plain', '-out', 'pk/c', `sanfran:s3@${T}`);
    assert.strictEqual(ex.status, 1, ex.err.join('\n'));
    assert.deepStrictEqual(ex.err, [`multitool: Error: Working directory ${path.join(root, 'plain')} is not a directory; give another -workdir.`]);
    const under = await multitool(sanfran, root, 'mkreplica', '-import', '-workdir', 'plain/w', '-tag', '/vobs/x', 'pk/create');
    assert.strictEqual(under.status, 1, under.err.join('\n'));
    assert.deepStrictEqual(under.err, [`multitool: Error: Working directory ${path.join(root, 'plain', 'w')} is not a directory; give another -workdir.`]);
  });

  it('syncreplica and mkreplica -export -out under a file is one error line, not an internal error', async () => {
    fs.writeFileSync(path.join(root, 'plain'), 'x');
    const sync = await multitool(boston, root, 'syncreplica', '-export', '-out', 'plain/upd', `sanfran_hub@${T}`);
    assert.strictEqual(sync.status, 1, sync.err.join('\n'));
    assert.deepStrictEqual(sync.err, [`multitool: Error: Cannot write packet ${path.join(root, 'plain', 'upd')}: ${path.join(root, 'plain')} is not a directory.`]);
    const mk = await multitool(boston, root, 'mkreplica', '-export', '-workdir', 'w', '-out', 'plain/c', `sanfran:s3@${T}`);
    assert.strictEqual(mk.status, 1, mk.err.join('\n'));
    assert.deepStrictEqual(mk.err, [`multitool: Error: Cannot write packet ${path.join(root, 'plain', 'c')}: ${path.join(root, 'plain')} is not a directory.`]);
  });

  it('mklabel says a label is already on the version instead of "Created", and records nothing', async () => {
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
    await succeed(boston, root, 'mklbtype', '-invob', T, 'REL1');
    await succeed(boston, root, 'mklabel', '-invob', T, 'REL1', 'a.c@@/main/1');
    const epoch = async (): Promise<string[]> => (await succeed(boston, root, 'lsepoch', `boston_hub@${T}`)).out;
    const before = await epoch();
    for (const argv of [['REL1', 'a.c@@/main/1'], ['-replace', 'REL1', 'a.c@@/main/1']]) {
      const r = await succeed(boston, root, 'mklabel', '-invob', T, ...argv);
      assert.deepStrictEqual(r.out, ['Label "REL1" is already on "a.c" version "/main/1".']);
    }
    assert.deepStrictEqual(await epoch(), before);
  });

  it('chmaster refuses a replica selector of another VOB, and to the current master says so and records nothing', async () => {
    await succeed(boston, root, 'mkvob', '-tag', '/vobs/y', '-replica', 'y_hub');
    await succeed(boston, root, 'mkbrtype', '-invob', T, 'dev');
    const other = await multitool(boston, root, 'chmaster', '-invob', T, 'sanfran_hub@/vobs/y', 'brtype:dev');
    assert.strictEqual(other.status, 1);
    assert.strictEqual(errorLine(other), `Replica "sanfran_hub@/vobs/y" is not in VOB "${T}".`);
    const epoch = async (): Promise<string[]> => (await succeed(boston, root, 'lsepoch', `boston_hub@${T}`)).out;
    const before = await epoch();
    const same = await succeed(boston, root, 'chmaster', '-invob', T, 'boston_hub', 'brtype:dev');
    assert.deepStrictEqual(same.out, ['Master replica of branch type "dev" is already "boston_hub".']);
    assert.deepStrictEqual(await epoch(), before);
    const moved = await succeed(boston, root, 'chmaster', '-invob', T, `replica:sanfran_hub@${T}`, 'brtype:dev');
    assert.deepStrictEqual(moved.out, ['Changed mastership of branch type "dev" to "sanfran_hub".']);
  });

  it('lspacket escapes control characters from an unverified header or a bay file name, so they cannot add listing lines', async () => {
    await succeed(boston, root, 'syncreplica', '-export', '-c', 'two\nlines', '-out', 'pk/upd', `sanfran_hub@${T}`);
    const bytes = fs.readFileSync(path.join(root, 'pk', 'upd'));
    const length = bytes.readUInt32BE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + length).toString('utf8')) as {
      familyOid: string;
      targets: Array<{ name: string; vobTag: string }>;
      origin: { name: string };
    };
    header.familyOid = 'fam\nPacket is: /etc/passwd';
    header.targets[0].name = 'sanfran_hub\nThe packet sequence number is 999';
    header.targets[0].vobTag = `${T}\r`;
    header.origin.name = 'boston_hub\x1b[2J';
    const text = Buffer.from(JSON.stringify(header), 'utf8');
    const size = Buffer.alloc(4);
    size.writeUInt32BE(text.length);
    const forged = path.join(root, 'pk', 'forged\nPacket is: x');
    fs.writeFileSync(forged, Buffer.concat([bytes.subarray(0, 8), size, text, bytes.subarray(12 + length)]));
    const r = await succeed(sanfran, root, 'lspacket', '-long', forged);
    const out = r.out.join('\n').split('\n');
    assert.deepStrictEqual(out.filter((l) => l.startsWith('Packet is: ')), [`Packet is: ${path.join(root, 'pk')}/forged\\nPacket is: x`]);
    assert.deepStrictEqual(out.filter((l) => l.startsWith('The packet sequence number is')).length, 1);
    assert.ok(out.includes('VOB family identifier is: fam\\nPacket is: /etc/passwd'), out.join('\n'));
    assert.ok(out.includes(`  sanfran_hub\\nThe packet sequence number is 999 [ local to this network ] tag: ${T}\\r`), out.join('\n'));
    assert.ok(out.includes(`  boston_hub\\x1b[2J (${out[out.indexOf('Originating replica is:') + 1].split(' (')[1]}`), out.join('\n'));
    assert.ok(!out.some((l) => l.includes('\x1b')));
    const plain = await succeed(sanfran, root, 'lspacket', 'pk/upd');
    assert.ok(plain.out.join('\n').split('\n').includes('Comment supplied at packet creation is: two lines'));
  });

  it('syncreplica -export -maxsize leaves no fragment behind when a later fragment\'s -out name is taken', async () => {
    // Random bytes: the store deflates content, and these must stay too large for one packet.
    fs.writeFileSync(path.join(root, 'v1'), crypto.randomBytes(3000));
    fs.writeFileSync(path.join(root, 'v2'), crypto.randomBytes(3000));
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v2', 'b.c');
    fs.mkdirSync(path.join(root, 'out'));
    fs.writeFileSync(path.join(root, 'out', 'up_2'), 'taken');
    const before = (await succeed(boston, root, 'lsepoch', `sanfran_hub@${T}`)).out;
    const r = await multitool(boston, root, 'syncreplica', '-export', '-maxsize', '3k', '-out', 'out/up', `sanfran_hub@${T}`);
    assert.strictEqual(r.status, 1, r.err.join('\n'));
    assert.strictEqual(errorLine(r), `Cannot write packet ${path.join(root, 'out', 'up_2')}: a file of that name already exists; remove it or choose another name.`);
    assert.deepStrictEqual(fs.readdirSync(path.join(root, 'out')), ['up_2']);
    assert.deepStrictEqual((await succeed(boston, root, 'lsepoch', `sanfran_hub@${T}`)).out, before);
  });

  it('chepoch refuses one origin given two values, by name or by oid, and changes nothing', async () => {
    const before = (await succeed(boston, root, 'lsepoch', `sanfran_hub@${T}`)).out;
    const oid = before.find((l) => l.endsWith('(boston_hub)'))?.trim().split('=')[0] as string;
    for (const second of ['boston_hub=0', `${oid}=0`]) {
      const r = await multitool(boston, root, 'chepoch', `sanfran_hub@${T}`, 'boston_hub=1', second);
      assert.strictEqual(r.status, 1, r.err.join('\n'));
      assert.strictEqual(errorLine(r), 'Origin "boston_hub" is given two values, 1 and 0: give each origin once.');
      assert.deepStrictEqual(r.out, []);
    }
    assert.deepStrictEqual((await succeed(boston, root, 'lsepoch', `sanfran_hub@${T}`)).out, before);
    await succeed(boston, root, 'chepoch', `sanfran_hub@${T}`, 'boston_hub=1', 'boston_hub=1');
  });

  it('recoverpacket -since refuses a day that does not exist instead of rolling it into the next month', async () => {
    for (const since of ['31-Feb-2026', '2026-02-30', '2026-04-31T10:00:00Z', '29-Feb-2025.10:00']) {
      const r = await multitool(boston, root, 'recoverpacket', '-since', since, `sanfran_hub@${T}`);
      assert.strictEqual(r.status, 1, since);
      assert.strictEqual(errorLine(r), `Invalid date-time "${since}": there is no such day.`);
    }
    const bad = await multitool(boston, root, 'recoverpacket', '-since', '9-Xyz-2026', `sanfran_hub@${T}`);
    assert.strictEqual(errorLine(bad), 'Invalid date-time "9-Xyz-2026": use e.g. 2026-11-21T14:30:00Z or 21-Nov-2026.14:30.');
    await succeed(boston, root, 'syncreplica', '-export', '-out', 'pk/upd', `sanfran_hub@${T}`);
    for (const since of ['29-Feb-2028.10:00', '2028-02-29', '31-Dec-2030']) await succeed(boston, root, 'recoverpacket', '-since', since, `sanfran_hub@${T}`);
  });

  it('refuses an empty pathname (an unset shell variable) instead of taking the current directory or ignoring the option', async () => {
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
    await succeed(boston, root, 'syncreplica', '-export', '-out', 'upd', `sanfran_hub@${T}`);
    const empty = 'An empty pathname was given: name a file or directory ("." for the current directory).';
    const cases: Array<[string, string[]]> = [
      [sanfran, ['syncreplica', '-import', '']],
      [sanfran, ['lspacket', '']],
      [boston, ['fsimport', '-invob', T, '']],
      [boston, ['mkelem', '-invob', T, '-from', '', 'b.c']],
      [boston, ['checkin', '-invob', T, '-from', '', 'a.c']],
      [boston, ['cat', '-invob', T, '-to', '', 'a.c@@/main/1']],
      [boston, ['mkvob', '-tag', '/vobs/e', '-replica', 'e_hub', '-vob', '']],
      [boston, ['syncreplica', '-export', '-out', '', `sanfran_hub@${T}`]],
      [boston, ['mkreplica', '-export', '-workdir', '', '-out', 'c', `sanfran:s3@${T}`]],
    ];
    for (const [home, argv] of cases) {
      const r = await multitool(home, root, ...argv);
      assert.strictEqual(r.status, 1, argv.join(' '));
      assert.strictEqual(errorLine(r), empty, argv.join(' '));
      assert.deepStrictEqual(r.out, [], argv.join(' '));
    }
    assert.ok(fs.existsSync(path.join(root, 'upd')), 'not consumed');
    const tree = await succeed(boston, root, 'lsvtree', '-invob', T, 'a.c');
    assert.strictEqual(tree.out.length, 4, tree.out.join('\n'));
    await assert.rejects(succeed(boston, root, 'lsvtree', '-invob', T, 'b.c'));
  });

  it('a file name too long for the file system is one error line, not an internal error', async () => {
    const long = 'x'.repeat(300);
    for (const argv of [
      ['syncreplica', '-export', '-out', long, `sanfran_hub@${T}`],
      ['mkvob', '-tag', '/vobs/long', '-replica', 'l_hub', '-vob', long],
      ['mkreplica', '-export', '-workdir', long, '-out', 'c', `sanfran:s3@${T}`],
    ]) {
      const r = await multitool(boston, root, ...argv);
      assert.strictEqual(r.status, 1, r.err.join('\n'));
      assert.strictEqual(r.err.length, 1, r.err.join('\n'));
      assert.match(errorLine(r), /^Cannot \w+ .*x{300}.*: file name too long; use another name\.$/);
    }
  });

  it('syncreplica -import -receive warns about a storage bay whose incoming is a file and still reads the other bays', async () => {
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
    const incoming = path.join(sanfran, 'shipping', 'ms_ship', 'incoming');
    await succeed(boston, root, 'syncreplica', '-export', '-out', incoming, `sanfran_hub@${T}`);
    const odd = path.join(root, 'oddbay');
    fs.mkdirSync(odd);
    fs.writeFileSync(path.join(odd, 'incoming'), 'a file');
    fs.appendFileSync(path.join(sanfran, 'config', 'shipping.conf'), `\nSTORAGE-BAY -default ${odd}\n`);
    const r = await multitool(sanfran, root, 'syncreplica', '-import', '-receive');
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.deepStrictEqual(r.err, [`multitool: Warning: Storage bay directory ${path.join(odd, 'incoming')} is not a directory (see shipping.conf); skipped.`]);
    assert.strictEqual(r.out.filter((l) => l.startsWith('Applied sync. packet ')).length, 1, r.out.join('\n'));
    assert.deepStrictEqual(fs.readdirSync(incoming), []);
  });

  it('syncreplica -import prints a packet file name holding a newline escaped, so it cannot fake an "Applied" line', async () => {
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await succeed(boston, root, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
    const incoming = path.join(sanfran, 'shipping', 'ms_ship', 'incoming');
    const name = 'x\nApplied sync. packet FAKE to VOB FAKE';
    const exp = await succeed(boston, root, 'syncreplica', '-export', '-out', path.join(incoming, name), `sanfran_hub@${T}`);
    assert.deepStrictEqual(exp.out, [`Generating synchronization packet ${incoming}/x\\nApplied sync. packet FAKE to VOB FAKE`]);
    const r = await succeed(sanfran, root, 'syncreplica', '-import', '-receive');
    assert.strictEqual(r.out.length, 1, r.out.join('\n'));
    assert.match(r.out[0], /^Applied sync\. packet .*\/x\\nApplied sync\. packet FAKE to VOB FAKE to VOB \//);
  });

  it('answers help with the synopsis on stdout and takes no inherited object name for a program or command', async () => {
    const syncUsage = (await succeed(boston, root, 'help', 'syncreplica')).out;
    assert.deepStrictEqual(syncUsage.length, 1);
    assert.match(syncUsage[0], /^Usage: multitool syncreplica -export /);
    assert.deepStrictEqual((await succeed(boston, root, 'lsvob', '-help')).out, ['Usage: multitool lsvob [-long]']);
    assert.match((await succeed(boston, root, 'help')).out[0], /^Usage: multitool COMMAND \[options\]\. Commands: addpeer, /);
    for (const name of ['toString', 'constructor', '__proto__']) {
      const r = await multitool(boston, root, name);
      assert.strictEqual(r.status, 1, `${name}: ${r.err.join('\n')}`);
      assert.match(errorLine(r), new RegExp(`^Unrecognized command "${name}"\\.`));
      const err: string[] = [];
      const status = await runProgram(name, ['lsvob'], { home: boston, cwd: root, env: {}, out: () => undefined, err: (l) => err.push(l) });
      assert.strictEqual(status, 1);
      assert.deepStrictEqual(err, [`${name}: Error: Unknown program "${name}": one of multitool.`]);
    }
  });

  it('refuses a MULTISITE_LOCKWAIT that is not a number of seconds instead of waiting the default 60 s', async () => {
    const run = async (wait: string): Promise<{ status: number; err: string[] }> => {
      const err: string[] = [];
      const status = await runProgram('multitool', ['lsepoch', '-invob', T], { home: boston, cwd: root, env: { MULTISITE_LOCKWAIT: wait }, out: () => undefined, err: (l) => err.push(l) });
      return { status, err };
    };
    for (const wait of ['5m', 'none', '-1', '1e3', 'a\nb']) {
      const r = await run(wait);
      assert.strictEqual(r.status, 1, wait);
      assert.strictEqual(r.err.length, 1, r.err.join('\n'));
      assert.match(r.err[0], /^multitool: Error: MULTISITE_LOCKWAIT=".*" is not a number of seconds/);
    }
    for (const wait of ['', '0', '2.5', ' 30 ']) assert.strictEqual((await run(wait)).status, 0, JSON.stringify(wait));
  });
});
