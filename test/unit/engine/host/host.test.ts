import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ini from 'ini';
import { addPeer, mkhost, mkvob, readSite } from '../../../../src/engine/sync';
import { hostLayout } from '../../../../src/engine/host/layout';
import { readSiteIni } from '../../../../src/engine/host/siteIni';
import { HostExistsError, PeerError, VobTagExistsError } from '../../../../src/engine/host/errors';
import { loadShippingConf, parseShippingConf, validateShippingConf } from '../../../../src/engine/conf';
import { execFileSync } from 'child_process';

describe('host homes', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mshost-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('mkhost lays out the home: config, keys, bays with incoming and outgoing, vobs, log', () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston', port: 1234 });
    const l = hostLayout(home);
    for (const d of [l.config, l.keys, l.vobs, l.log, l.downhost]) assert.ok(fs.statSync(d).isDirectory(), d);
    for (const bay of [l.shipBay, l.returnBay]) for (const side of ['incoming', 'outgoing']) assert.ok(fs.statSync(path.join(bay, side)).isDirectory());
    assert.strictEqual(fs.statSync(l.privateKey).mode & 0o077, 0, 'private key is readable by its owner only');
    const site = readSite(l);
    assert.deepStrictEqual({ name: site.host.name, port: site.host.port, address: site.host.address }, { name: 'boston', port: 1234, address: '127.0.0.1' });
  });

  it('writes a shipping.conf template naming the home\'s absolute bays, which the conf parser reads back', () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    const text = fs.readFileSync(hostLayout(home).shippingConf, 'utf8');
    assert.match(text, new RegExp(`^STORAGE-BAY -default ${hostLayout(home).shipBay.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    const conf = loadShippingConf(home);
    assert.deepStrictEqual(conf.classes.get('-default')?.storageBays, [hostLayout(home).shipBay]);
    assert.deepStrictEqual(conf.classes.get('-default')?.returnBays, [hostLayout(home).returnBay]);
  });

  it('writes a shipping.conf that validates clean with disk checks on: its bays and notify program exist', () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    const text = fs.readFileSync(hostLayout(home).shippingConf, 'utf8');
    const found = validateShippingConf(parseShippingConf(text), { fileSystemChecks: true });
    assert.deepStrictEqual(found.map((d) => `${d.code}: ${d.message}`), []);
  });

  it('installs a notify program that logs each notice it is given the original way (-s, -f, addresses)', () => {
    const home = path.join(root, "o'brien home");
    mkhost(home, { name: 'boston' });
    const l = hostLayout(home);
    const msg = path.join(root, 'msg.txt');
    fs.writeFileSync(msg, 'Shipping order expired.\n');
    execFileSync(l.notifyProgram, ['-s', 'order returned', '-f', msg, 'root', 'ops@example.com']);
    const log = fs.readFileSync(path.join(l.log, 'notify.log'), 'utf8');
    assert.match(log, /^To: root ops@example\.com$/m);
    assert.match(log, /^Subject: order returned$/m);
    assert.match(log, /Shipping order expired\./);
  });

  it('refuses to make a host of a home that already is one', () => {
    const home = path.join(root, 'boston');
    mkhost(home, { name: 'boston' });
    assert.throws(() => mkhost(home, { name: 'other' }), HostExistsError);
  });

  it('adds a peer from its home or its key file, in a site.ini the views\' reader understands', () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    mkhost(a, { name: 'boston' });
    mkhost(b, { name: 'sanfran.example.com' });
    addPeer(a, { name: 'sanfran.example.com', address: '10.0.0.2', port: 1131, peerHome: b });
    const site = readSite(hostLayout(a));
    assert.strictEqual(site.peers['sanfran.example.com'].home, hostLayout(b).home);
    assert.strictEqual(site.peers['sanfran.example.com'].key, readSite(hostLayout(b)).host.key);
    const c = path.join(root, 'c');
    mkhost(c, { name: 'bangalore' });
    const r = addPeer(a, { name: 'bangalore', address: '10.0.0.3', port: 1132, keyFile: hostLayout(c).publicKey });
    assert.strictEqual(r.replaced, false);
    const views = readSiteIni(a);
    assert.deepStrictEqual(views?.peers.map((p) => p.name).sort(), ['bangalore', 'sanfran.example.com']);
    assert.strictEqual(views?.name, 'boston');
    assert.ok(ini.parse(fs.readFileSync(hostLayout(a).siteIni, 'utf8')).host);
  });

  it('refuses a peer without a usable key, or named like the host itself', () => {
    const a = path.join(root, 'a');
    mkhost(a, { name: 'boston' });
    const junk = path.join(root, 'junk.pem');
    fs.writeFileSync(junk, 'not a key');
    assert.throws(() => addPeer(a, { name: 'x', address: 'h', port: 1, keyFile: junk }), /does not hold an Ed25519 public key/);
    assert.throws(() => addPeer(a, { name: 'boston', address: 'h', port: 1, keyFile: hostLayout(a).publicKey }), PeerError);
    assert.throws(() => addPeer(a, { name: 'x', address: 'h', port: 1 }), /give -key FILE or -home DIR/);
  });

  it('registers each VOB tag once', async () => {
    const a = path.join(root, 'a');
    mkhost(a, { name: 'boston' });
    await mkvob({ home: a }, { tag: '/vobs/dev', replica: 'boston_hub' });
    await assert.rejects(mkvob({ home: a }, { tag: '/vobs/dev', replica: 'other' }), VobTagExistsError);
  });
});
