import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chmaster, checkin, digest, exportSync, findVobTag, hostLayout, importSync, listVobTags, lsvtree, mkelem, mklabel, mkreplicaExport, mkreplicaImport, mktype, type ImportEvent } from '../../../../src/engine/sync';
import { CreationRefusedError } from '../../../../src/engine/sync/errors';
import { quarantineDir } from '../../../../src/engine/packet/quarantine';
import type { OpBody } from '../../../../src/engine/store/ops';
import { Replica } from '../../../../src/engine/store/replica';
import { makeFamily, makeHosts, tempDir, type TestReplica } from './syncFixtures';

/**
 * A peer that signs correctly but whose replica records a change it does not master (a modified
 * or broken engine there): the importer checks each entry's mastership itself.
 */
describe('import checks that each entry was made at the master of what it changes', function () {
  this.timeout(60_000);
  let root: string;
  let r0: TestReplica;
  let r1: TestReplica;
  let r2: TestReplica;
  let n = 0;

  beforeEach(async () => {
    root = tempDir('msimpmaster-');
    const hosts = makeHosts(root, ['boston', 'sanfran', 'paris']);
    [r0, r1, r2] = await makeFamily(root, hosts, [0, 1, 2]);
    const v1 = path.join(root, 'v1');
    fs.writeFileSync(v1, 'one\n');
    await mkelem(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: v1 });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function file(content: string): string {
    const f = path.join(root, `content${n++}`);
    fs.writeFileSync(f, content);
    return f;
  }

  /** Records entries at `rep` without the mastership check every command makes. */
  async function forge(rep: TestReplica, make: (r: Replica) => OpBody[]): Promise<void> {
    const r = await Replica.open(findVobTag(hostLayout(rep.host.home), rep.tag, rep.host.name).dir, { command: 'forge' });
    try {
      r.record(make(r));
    } finally {
      r.close();
    }
  }

  async function send(from: TestReplica, to: TestReplica): Promise<{ ok: boolean; events: ImportEvent[]; packets: string[] }> {
    const out = path.join(root, 'net', `p${n++}`);
    fs.mkdirSync(out, { recursive: true });
    const ex = await exportSync(from.host.ctx, { targets: [`${to.name}@${from.tag}`], out });
    const packets = ex.vobs.flatMap((v) => v.packets.map((p) => p.path));
    const im = await importSync(to.host.ctx, { sources: packets });
    return { ...im, packets };
  }

  /** A new /main version of a.c with the content of /main/1, which is in the store. */
  const versionOfA = (r: Replica): OpBody => {
    const br = r.state.elements['a.c'].branches['/main'];
    const v1 = br.versions[1];
    return { kind: 'version.create', path: 'a.c', branch: '/main', n: br.versions.length, blob: v1.blob, size: v1.size };
  };

  it('quarantines a correctly signed packet holding a change its replica does not master, applying none of its entries', async () => {
    await mktype(r0.host.ctx, { tag: r0.tag, kind: 'lbtype', name: 'REL1' });
    await chmaster(r0.host.ctx, { tag: r0.tag, to: r1.name, object: 'lbtype:REL1' });
    assert.ok((await send(r0, r1)).ok);
    // A change sanfran may make, then one it may not (branch type "main" is boston's).
    await mklabel(r1.host.ctx, { tag: r1.tag, lbtype: 'REL1', version: 'a.c@@/main/1' });
    await forge(r1, (r) => [versionOfA(r)]);
    const before = await digest(r0.host.ctx, { tag: r0.tag });

    const im = await send(r1, r0);

    assert.strictEqual(im.ok, false);
    const q = im.events.filter((e): e is Extract<ImportEvent, { type: 'quarantined' }> => e.type === 'quarantined');
    assert.strictEqual(q.length, 1, JSON.stringify(im.events));
    const reason = /^packet entry \d+ from replica "r1" \(new version "a\.c@@\/main\/2"\) was not made at the master: master replica of branch type "main" is "r0"$/;
    assert.match(q[0].reason, reason);
    assert.ok(!im.events.some((e) => e.type === 'applied'));
    assert.strictEqual(await digest(r0.host.ctx, { tag: r0.tag }), before, 'not even the label, made at its master, was applied');
    assert.deepStrictEqual(await lsvtree(r0.host.ctx, { tag: r0.tag, path: 'a.c' }), ['a.c@@', 'a.c@@/main', 'a.c@@/main/0', 'a.c@@/main/1']);
    assert.ok(!fs.existsSync(im.packets[0]), 'the packet left where it was');
    const qdir = quarantineDir(r0.host.home);
    assert.ok(fs.existsSync(path.join(qdir, path.basename(im.packets[0]))));
    assert.match(fs.readFileSync(path.join(qdir, `${path.basename(im.packets[0])}.reason`), 'utf8'), /master replica of branch type "main" is "r0"/);
  });

  it('applies a hub-forwarded chmaster followed by the new master\'s work, and refuses the old master\'s change after it', async () => {
    await chmaster(r0.host.ctx, { tag: r0.tag, to: r1.name, object: 'brtype:main' });
    assert.ok((await send(r0, r1)).ok);
    await checkin(r1.host.ctx, { tag: r1.tag, path: 'a.c', from: file('two\n') });
    // One packet from sanfran carries boston's element and handover and sanfran's checkin.
    const forwarded = await send(r1, r2);
    assert.ok(forwarded.ok, JSON.stringify(forwarded.events));
    assert.strictEqual(await digest(r2.host.ctx, { tag: r2.tag }), await digest(r1.host.ctx, { tag: r1.tag }));

    await forge(r0, (r) => [versionOfA(r)]);
    const before = await digest(r2.host.ctx, { tag: r2.tag });
    const stale = await send(r0, r2);
    assert.strictEqual(stale.ok, false);
    const q = stale.events.find((e): e is Extract<ImportEvent, { type: 'quarantined' }> => e.type === 'quarantined');
    assert.match(q?.reason ?? '', /^packet entry \d+ from replica "r0" \(new version "a\.c@@\/main\/2"\) was not made at the master: master replica of branch type "main" is "r1"$/);
    assert.strictEqual(await digest(r2.host.ctx, { tag: r2.tag }), before);
  });

  it('honours a branch\'s own master given by chmaster: its later change is accepted at the old master', async () => {
    await mktype(r0.host.ctx, { tag: r0.tag, kind: 'brtype', name: 'dev' });
    await checkin(r0.host.ctx, { tag: r0.tag, path: 'a.c', from: file('dev one\n'), branch: 'dev' });
    await chmaster(r0.host.ctx, { tag: r0.tag, to: r2.name, object: 'a.c@@/main/dev' });
    const im = await send(r0, r2);
    assert.ok(im.ok, JSON.stringify(im.events));
    await checkin(r2.host.ctx, { tag: r2.tag, path: 'a.c', from: file('dev two\n'), branch: 'dev' });
    assert.ok((await send(r2, r0)).ok);
    assert.strictEqual(await digest(r0.host.ctx, { tag: r0.tag }), await digest(r2.host.ctx, { tag: r2.tag }));
  });

  it('refuses to create a replica from a creation packet whose history holds a change made away from its master', async () => {
    await chmaster(r0.host.ctx, { tag: r0.tag, to: r1.name, object: 'brtype:main' });
    await forge(r0, (r) => [versionOfA(r)]);
    const paris = r2.host;
    const out = path.join(root, 'net', 'create-r3');
    fs.mkdirSync(out, { recursive: true });
    const ex = await mkreplicaExport(r0.host.ctx, { target: `${paris.name}:r3@${r0.tag}`, workdir: path.join(root, 'work'), out });
    await assert.rejects(
      mkreplicaImport(paris.ctx, { packets: ex.packets.map((p) => p.path), workdir: path.join(root, 'work-paris'), tag: '/vobs/r3' }),
      (e: Error) => e instanceof CreationRefusedError && /was not made at the master: master replica of branch type "main" is "r1"; no replica was created\.$/.test(e.message),
    );
    assert.ok(!listVobTags(hostLayout(paris.home)).some((t) => t.tag === '/vobs/r3'), 'no tag registered');
    assert.deepStrictEqual(fs.readdirSync(hostLayout(paris.home).vobs).filter((n) => n.includes('r3')), [], 'no storage left behind');
  });
});
