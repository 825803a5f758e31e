import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runProgram } from '../../../src/cli/run';
import { writePacket, type PacketWriteOptions } from '../../../src/engine/packet';
import { hostKeys, makeUnits, tempDir, writeOptions, type HostKeys } from '../engine/packetFixtures';

interface Result {
  status: number;
  out: string[];
  err: string[];
}

describe('multitool lspacket', () => {
  let home: string;
  let work: string;
  let keys: HostKeys;
  beforeEach(() => {
    home = tempDir('mshome-');
    work = tempDir('mswork-');
    keys = hostKeys('boston');
  });
  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function lspacket(...argv: string[]): Promise<Result> {
    const out: string[] = [];
    const err: string[] = [];
    // The command hands out several lines per call (one block), as a process would print them.
    const status = await runProgram('multitool', ['lspacket', ...argv], { home, cwd: work, env: {}, out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l) });
    return { status, out, err };
  }

  async function packet(dir: string, over: Partial<PacketWriteOptions> = {}, units = makeUnits(3)): Promise<string[]> {
    fs.mkdirSync(dir, { recursive: true });
    return (await writePacket(writeOptions(dir, keys, over), units)).map((w) => w.path);
  }

  function siteIni(hostName: string): void {
    fs.mkdirSync(path.join(home, 'config'), { recursive: true });
    fs.writeFileSync(path.join(home, 'config', 'site.ini'), `[host]\nname = ${hostName}\naddress = 127.0.0.1\nport = 1130\n`);
  }

  it('prints the default fields of a packet in the original words', async () => {
    const [p] = await packet(work, { fileName: 'update1' });
    const r = await lspacket(p);
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.deepStrictEqual(r.out, [
      `Packet is: ${p}`,
      'Packet type: Update',
      'VOB family identifier is: 12a3456b.78c901d2.e3ab.45:67:89:c0:1d:e2',
      'Comment supplied at packet creation is: nightly update',
      'Packet intended for the following targets:',
      '  sanfran_hub tag: /vobs/dev',
      'The packet sequence number is 7',
    ]);
    assert.deepStrictEqual(r.err, []);
  });

  it('says which targets are local to this host when site.ini names it', async () => {
    siteIni('sanfran');
    const header = writeOptions(work, keys).header;
    const targets = [...header.targets, { name: 'bangalore', oid: 'oid-b', host: 'bangalore', vobTag: '/vobs/dev', incarnation: 0 }];
    const [p] = await packet(work, { fileName: 'u', header: { ...header, targets } });
    const r = await lspacket(p);
    assert.deepStrictEqual(r.out.slice(5, 7), ['  sanfran_hub [ local to this network ] tag: /vobs/dev', '  bangalore [ not local to this network ] tag: /vobs/dev']);
  });

  it('leaves the tag out for a target whose tag the sender did not know', async () => {
    const header = writeOptions(work, keys).header;
    const [p] = await packet(work, { fileName: 'u', header: { ...header, targets: [{ ...header.targets[0], vobTag: '' }] } });
    assert.strictEqual((await lspacket(p)).out[5], '  sanfran_hub');
  });

  it('prints a Replica Creation packet as such, and an empty comment with nothing after the colon', async () => {
    const header = { ...writeOptions(work, keys).header, comment: '' };
    const [p] = await packet(work, { kind: 'creation', fileName: 'c', header });
    const r = await lspacket(p);
    assert.strictEqual(r.out[1], 'Packet type: Replica Creation');
    assert.strictEqual(r.out[3], 'Comment supplied at packet creation is:');
  });

  it('keeps a multi-line comment on one line', async () => {
    const header = { ...writeOptions(work, keys).header, comment: 'line one\nline two' };
    const [p] = await packet(work, { fileName: 'c', header });
    assert.strictEqual((await lspacket(p)).out[3], 'Comment supplied at packet creation is: line one line two');
  });

  it('adds origin, referenced replicas, versions, fragment and identifier with -long', async () => {
    const paths = await packet(work, { fileName: 'big', maxBytes: 8 * 1024, replicas: [{ oid: 'oid-bangalore', name: 'bangalore', incarnation: 3 }] }, makeUnits(20, { origins: ['oid-boston', 'oid-bangalore'], blobBytes: 3000 }));
    assert.ok(paths.length > 1);
    const r = await lspacket('-long', paths[1]);
    assert.strictEqual(r.status, 0);
    const id = /^Packet identifier is: ([0-9a-f-]{36})$/.exec(r.out[r.out.length - 1])?.[1];
    assert.ok(id, r.out.join('\n'));
    assert.deepStrictEqual(r.out.slice(0, 6), [
      `Packet is: ${paths[1]}`,
      'Packet type: Update',
      'VOB family identifier is: 12a3456b.78c901d2.e3ab.45:67:89:c0:1d:e2',
      'Comment supplied at packet creation is: nightly update',
      'Packet intended for the following targets:',
      '  sanfran_hub tag: /vobs/dev',
    ]);
    assert.deepStrictEqual(r.out.slice(6, 9), ['Originating replica is:', '  boston_hub (oid-boston)', 'The following replicas are referenced by this packet:']);
    const rest = r.out.slice(9);
    const versions = rest.indexOf('The major packet version is 1, the minor packet version is 3');
    assert.ok(versions > 0);
    const refs = rest.slice(0, versions);
    assert.strictEqual(refs.length % 3, 0);
    for (let i = 0; i < refs.length; i += 3) {
      assert.match(refs[i], /^ {2}(boston_hub \(oid-boston\)|bangalore \(oid-bangalore\))$/);
      assert.match(refs[i + 1], /^ {4}first oplog id is \d+$/);
      assert.match(refs[i + 2], refs[i].includes('bangalore') ? /^ {4}incarnation is 3$/ : /^ {4}incarnation is 0$/);
    }
    assert.deepStrictEqual(rest.slice(versions + 1, versions + 3), ['The packet sequence number is 7', `Packet fragment: 2 of ${paths.length}`]);
    const withEnd = await lspacket('-long', '-endrange', paths[1]);
    assert.match(withEnd.out.join('\n'), / {4}first oplog id is \d+\n {4}last oplog id is \d+\n {4}incarnation is/);
  });

  it('lists only the path of each packet with -short', async () => {
    const paths = await packet(work, { maxBytes: 8 * 1024 }, makeUnits(20, { blobBytes: 3000 }));
    const r = await lspacket('-short', work);
    assert.deepStrictEqual(r.out, [...paths].sort());
  });

  it('lists the packets of a directory in name order, leaving out temporary files, shipping orders and subdirectories', async () => {
    const [b] = await packet(work, { fileName: 'b' });
    const [a] = await packet(work, { fileName: 'a' });
    fs.writeFileSync(path.join(work, '.b.123.tmp'), 'half written');
    fs.writeFileSync(path.join(work, 'sh_o_a'), '# shipping order\n');
    fs.mkdirSync(path.join(work, 'sub'));
    const r = await lspacket('-short', work);
    assert.deepStrictEqual(r, { status: 0, out: [a, b], err: [] });
  });

  it('lists a quarantine folder\'s packets without the reason files written beside them', async () => {
    const q = path.join(work, 'quarantine');
    const [bad] = await packet(q, { fileName: 'bad' });
    fs.writeFileSync(`${bad}.reason`, 'reason: Packet bad is damaged\n');
    fs.writeFileSync(path.join(q, 'lone.reason'), 'not beside a packet\n');
    const r = await lspacket('-short', q);
    assert.deepStrictEqual(r.out, [bad]);
    assert.deepStrictEqual(r.err, [`multitool: Error: File ${path.join(q, 'lone.reason')} is not a sync. packet.`]);
  });

  it('resolves relative operands against the working directory', async () => {
    const [p] = await packet(work, { fileName: 'rel' });
    assert.deepStrictEqual((await lspacket('-short', 'rel')).out, [p]);
  });

  it('lists the incoming and outgoing directories of every bay of the host when given no operand', async () => {
    const inShip = await packet(path.join(home, 'shipping', 'ms_ship', 'incoming'), { fileName: 'in1' });
    const outShip = await packet(path.join(home, 'shipping', 'ms_ship', 'outgoing'), { fileName: 'out1' });
    const rtn = await packet(path.join(home, 'shipping', 'ms_rtn', 'incoming'), { fileName: 'back1' });
    const other = path.join(work, 'bays', 'nightly');
    const conf = await packet(path.join(other, 'incoming'), { fileName: 'conf1' });
    fs.mkdirSync(path.join(home, 'config'), { recursive: true });
    fs.writeFileSync(path.join(home, 'config', 'shipping.conf'), `STORAGE-BAY nightly ${other}\n`);
    const r = await lspacket('-short');
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.deepStrictEqual(r.out, [...inShip, ...outShip, ...rtn, ...conf]);
  });

  it('prints nothing and succeeds when the host has no bays yet', async () => {
    assert.deepStrictEqual(await lspacket(), { status: 0, out: [], err: [] });
  });

  it('reports each unreadable file on one line, lists the rest, and exits 1', async () => {
    const [good] = await packet(work, { fileName: 'good' });
    fs.writeFileSync(path.join(work, 'junk'), 'not a packet at all');
    fs.writeFileSync(path.join(work, 'empty'), '');
    const cut = fs.readFileSync(good).subarray(0, 20);
    fs.writeFileSync(path.join(work, 'cut'), cut);
    const r = await lspacket('-short', work, path.join(work, 'missing'));
    assert.strictEqual(r.status, 1);
    assert.deepStrictEqual(r.out, [good]);
    assert.deepStrictEqual(r.err, [
      `multitool: Unable to access "${path.join(work, 'missing')}": No such file or directory.`.replace('multitool: ', 'multitool: Error: '),
      `multitool: Error: Cannot read header of packet ${path.join(work, 'cut')}: the file ends after 20 bytes, inside the header (${12 + fs.readFileSync(good).readUInt32BE(8)} bytes).`,
      `multitool: Error: File ${path.join(work, 'empty')} is not a sync. packet (the file is empty).`,
      `multitool: Error: File ${path.join(work, 'junk')} is not a sync. packet.`,
    ]);
  });

  it('follows a symbolic link to a packet and reports a dangling or looping one', async () => {
    const [p] = await packet(work, { fileName: 'real' });
    const links = path.join(work, 'links');
    fs.mkdirSync(links);
    fs.symlinkSync(p, path.join(links, 'a-link'));
    fs.symlinkSync(path.join(work, 'nowhere'), path.join(links, 'b-dangling'));
    fs.symlinkSync(path.join(links, 'c-loop'), path.join(links, 'c-loop'));
    fs.symlinkSync(work, path.join(links, 'd-dir'));
    const r = await lspacket(links);
    assert.strictEqual(r.status, 1);
    assert.strictEqual(r.out[0], `Packet is: ${path.join(links, 'a-link')}`);
    assert.deepStrictEqual(r.err, [
      `multitool: Error: Cannot read header of packet ${path.join(links, 'b-dangling')}: no such file.`,
      `multitool: Error: Cannot read header of packet ${path.join(links, 'c-loop')}: too many levels of symbolic links.`,
    ]);
  });

  it('refuses a named pipe, given or linked from a bay, without waiting for a writer', async () => {
    const [p] = await packet(work, { fileName: 'real' });
    const fifo = path.join(work, 'pipe');
    execFileSync('mkfifo', [fifo]);
    fs.symlinkSync(fifo, path.join(work, 'to-pipe'));
    const r = await lspacket('-short', work, fifo);
    assert.strictEqual(r.status, 1);
    assert.deepStrictEqual(r.out, [p]);
    assert.deepStrictEqual(r.err, [
      `multitool: Error: File ${path.join(work, 'to-pipe')} is not a sync. packet (it is not a regular file).`,
      `multitool: Error: File ${fifo} is not a sync. packet (it is not a regular file).`,
    ]);
  });

  it('refuses -long with -short, and -endrange without -long', async () => {
    const both = await lspacket('-long', '-short');
    assert.strictEqual(both.status, 1);
    assert.deepStrictEqual(both.err, ['multitool: Error: Options -long and -short cannot be used together.']);
    assert.deepStrictEqual((await lspacket('-endrange')).err, ['multitool: Error: Option -endrange requires -long.']);
    assert.match((await lspacket('-bogus')).err[0], /Unrecognized option "-bogus"/);
  });

  it('accepts unique prefixes of its options', async () => {
    const [p] = await packet(work, { fileName: 'u' });
    assert.deepStrictEqual((await lspacket('-s', p)).out, [p]);
    assert.ok((await lspacket('-l', p)).out.some((l) => l.startsWith('Packet identifier is: ')));
  });
});
