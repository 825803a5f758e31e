import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadPrivateKey } from '../../../src/engine/host/keys';
import { hostLayout } from '../../../src/engine/host/layout';
import { readPacketHeader } from '../../../src/engine/packet/header';
import { writePacket } from '../../../src/engine/packet/writer';
import { listReplicas } from '../../../src/engine/sync';
import { errorLine, multitool, type Ran, replicatedHosts, succeed, tempRoot } from './cliSupport';

/**
 * syncreplica -import as an administrator runs it against packets that name paths they must not
 * (signed by a real peer, so only the import's own checks stand between them and the replica)
 * and against storage bays holding symbolic links.
 */
describe('syncreplica -import of hostile paths and linked packets', function () {
  this.timeout(30000);
  let root: string;
  let a: string;
  let b: string;
  const T = '/vobs/dev';
  const at = (home: string, ...args: string[]): Promise<Ran> => multitool(home, root, ...args);
  const ok = (home: string, ...args: string[]): Promise<Ran> => succeed(home, root, ...args);
  const digest = async (home: string): Promise<string> => (await ok(home, 'digest', '-invob', T)).out.join('\n');
  const bay = (home: string): string => path.join(home, 'shipping', 'ms_ship', 'incoming');

  beforeEach(async () => {
    root = tempRoot('mshostile-');
    [a, b] = await replicatedHosts(root, ['boston', 'sanfran'], T);
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    await ok(a, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A packet boston signs for sanfran_hub, as a real export would, carrying `records`. */
  async function signedPacket(name: string, elementPath: string): Promise<string> {
    // A real export first, applied at sanfran, so the hostile entry is next in line there.
    await ok(a, 'syncreplica', '-export', '-out', `pk/real-${name}`, `sanfran_hub@${T}`);
    await ok(b, 'syncreplica', '-import', `pk/real-${name}`);
    const real = await readPacketHeader(path.join(root, `pk/real-${name}`));
    const [info] = await listReplicas({ home: a }, T);
    const origin = info.replicas.find((r) => r.self);
    assert.ok(origin);
    const dir = path.join(root, 'hostile');
    fs.mkdirSync(dir, { recursive: true });
    const record = { kind: 'element.create', origin: origin.oid, id: origin.row[origin.oid] + 1, at: new Date().toISOString(), path: elementPath };
    const [w] = await writePacket(
      {
        kind: 'update',
        dir,
        fileName: name,
        compress: false,
        header: { sequence: real.sequence + 1, familyOid: real.familyOid, vobTag: real.vobTag, comment: '', origin: real.origin, sendingHost: 'boston', targets: real.targets, senderRow: real.senderRow },
        signer: { host: 'boston', privateKey: loadPrivateKey(hostLayout(a)) },
      },
      [{ records: [record], blobs: [] }],
    );
    return w.path;
  }

  it('quarantines a signed packet naming an absolute, a drive-letter or a climbing element path, in one error line, applying nothing', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/etc/passwd', /it is absolute/],
      ['C:/Windows/evil', /it is absolute/],
      ['src/../../../etc/passwd', /it contains "\.\."/],
    ];
    for (const [i, [p, why]] of cases.entries()) {
      const file = await signedPacket(`h${i}`, p);
      const before = await digest(b);
      const r = await at(b, 'syncreplica', '-import', file);
      assert.strictEqual(r.status, 1, p);
      assert.strictEqual(r.err.length, 1, r.err.join('\n'));
      const line = errorLine(r);
      assert.ok(line.includes(JSON.stringify(p)) && why.test(line), `${p}: ${line}`);
      assert.match(line, /the packet was moved to \S+quarantine/);
      assert.strictEqual(await digest(b), before, `${p}: nothing applied`);
      assert.ok(!fs.existsSync(file) && fs.existsSync(path.join(b, 'shipping', 'quarantine', `h${i}.reason`)));
    }
  });

  it('-receive applies a packet linked into the bay, removes the link and keeps its file, and names a link that leads nowhere', async () => {
    await ok(a, 'syncreplica', '-export', '-out', 'pk/elsewhere', `sanfran_hub@${T}`);
    const elsewhere = path.join(root, 'pk', 'elsewhere');
    fs.symlinkSync(elsewhere, path.join(bay(b), 'linked'));
    fs.symlinkSync(path.join(root, 'gone'), path.join(bay(b), 'dangling'));
    fs.symlinkSync('/etc', path.join(bay(b), 'etc'));
    const r = await at(b, 'syncreplica', '-import', '-receive');
    assert.strictEqual(r.status, 0, r.err.join('\n'));
    assert.deepStrictEqual(r.out, [`Applied sync. packet ${path.join(bay(b), 'linked')} to VOB ${path.join(b, 'vobs')}${path.sep}${fs.readdirSync(path.join(b, 'vobs')).find((n) => n.endsWith('.vbs'))}`]);
    assert.deepStrictEqual(r.err, [`multitool: Warning: ${path.join(bay(b), 'dangling')} is a symbolic link to ${path.join(root, 'gone')}, which leads to no file; skipped.`]);
    assert.strictEqual(await digest(b), await digest(a));
    assert.ok(fs.existsSync(elsewhere), 'the file the link led to is kept');
    assert.deepStrictEqual(fs.readdirSync(bay(b)).sort(), ['dangling', 'etc'], 'the applied link is removed; a link to a directory is not a packet and stays');
  });
});
