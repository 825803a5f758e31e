import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { errorLine, multitool, tempRoot } from './cliSupport';

describe('multitool mkhost and addpeer', () => {
  let root: string;
  beforeEach(() => {
    root = tempRoot('mscli-host-');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('mkhost makes the home and says where its key and shipping.conf are', async () => {
    const home = path.join(root, 'boston');
    const r = await multitool(home, root, 'mkhost', '-name', 'boston', '-port', '1234');
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.deepStrictEqual(r.out, [`Created host "boston" in ${home}.`, `  Public key: ${home}/config/keys/host_ed25519.pub.pem`, `  Shipping configuration: ${home}/config/shipping.conf`]);
  });

  it('mkhost refuses a second time, a bad name, a bad port and a missing -name', async () => {
    const home = path.join(root, 'boston');
    await multitool(home, root, 'mkhost', '-name', 'boston');
    assert.match(errorLine(await multitool(home, root, 'mkhost', '-name', 'boston')), /is already the home of host "boston"/);
    assert.match(errorLine(await multitool(path.join(root, 'x'), root, 'mkhost', '-name', '-bad/name')), /Invalid host name/);
    assert.match(errorLine(await multitool(path.join(root, 'y'), root, 'mkhost', '-name', 'y', '-port', '99999')), /Invalid port 99999: use 1 through 65535/);
    const missing = await multitool(path.join(root, 'z'), root, 'mkhost');
    assert.strictEqual(errorLine(missing), 'Option "-name" is required.');
    assert.strictEqual(missing.err[1], 'Usage: multitool mkhost -name HOST [-address A] [-port N]');
  });

  it('accepts unique option prefixes and rejects unknown options', async () => {
    const home = path.join(root, 'b');
    assert.strictEqual((await multitool(home, root, 'mkhost', '-na', 'b', '-addr', '10.1.1.1')).status, 0);
    assert.strictEqual(errorLine(await multitool(path.join(root, 'c'), root, 'mkhost', '-name', 'c', '-colour', 'red')), 'Unrecognized option "-colour".');
  });

  it('addpeer records a peer from its home (relative paths from the current directory) or key file', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    await multitool(a, root, 'mkhost', '-name', 'boston');
    await multitool(b, root, 'mkhost', '-name', 'sanfran');
    const r = await multitool(a, root, 'addpeer', 'sanfran', '-address', '127.0.0.1', '-port', '1131', '-home', 'b');
    assert.deepStrictEqual(r.out, [`Added peer "sanfran" (127.0.0.1:1131), home ${b}.`]);
    const again = await multitool(a, root, 'addpeer', 'sanfran', '-address', '127.0.0.2', '-port', '1131', '-key', 'b/config/keys/host_ed25519.pub.pem');
    assert.deepStrictEqual(again.out, ['Updated peer "sanfran" (127.0.0.2:1131).']);
  });

  it('addpeer needs exactly one of -key and -home, an address, a port, and a host home to act in', async () => {
    const a = path.join(root, 'a');
    await multitool(a, root, 'mkhost', '-name', 'boston');
    assert.strictEqual(errorLine(await multitool(a, root, 'addpeer', 'x', '-address', 'h', '-port', '1')), 'One of -key, -home is required.');
    assert.strictEqual(errorLine(await multitool(a, root, 'addpeer', 'x', '-address', 'h', '-port', '1', '-key', 'k', '-home', 'h')), 'Options -key and -home cannot be used together.');
    assert.strictEqual(errorLine(await multitool(a, root, 'addpeer', 'x', '-port', '1', '-key', 'k')), 'Option "-address" is required.');
    assert.match(errorLine(await multitool(a, root, 'addpeer', 'x', '-address', 'h', '-port', '1', '-key', 'nope.pem')), /Cannot read public key file .*nope.pem: ENOENT/);
    assert.match(errorLine(await multitool(path.join(root, 'nohost'), root, 'addpeer', 'x', '-address', 'h', '-port', '1', '-key', 'k')), /is not a MultiSite host home .*run "multitool mkhost -name HOST"/);
  });
});
