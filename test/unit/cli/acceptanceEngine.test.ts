import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { errorLine, multitool, succeed, tempRoot } from './cliSupport';

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
});
