import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chepoch, exportSync, importSync, listReplicas, mkelem, restorereplica } from '../../../../src/engine/sync';
import { makeFamily, makeHosts, tempDir, type TestReplica } from './syncFixtures';

describe('syncreplica -import of the first packet of a restored replica', () => {
  let root: string;
  let a: TestReplica;
  let b: TestReplica;
  beforeEach(async () => {
    root = tempDir('msnotice-');
    [a, b] = await makeFamily(root, makeHosts(root, ['boston', 'sanfran']), [0, 1]);
    const f = path.join(root, 'f');
    fs.writeFileSync(f, 'one\n');
    await mkelem(a.host.ctx, { tag: a.tag, path: 'a.c', from: f });
    await importSync(b.host.ctx, { sources: await exportTo(a, b) });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function exportTo(from: TestReplica, to: TestReplica): Promise<string[]> {
    const out = fs.mkdtempSync(path.join(root, 'out-'));
    const res = await exportSync(from.host.ctx, { targets: [`${to.name}@${from.tag}`], out });
    return res.vobs.flatMap((v) => v.packets.map((p) => p.path));
  }

  it('says it applied a packet whose entries were all there when it took the new incarnation from it, and "already applied" the second time', async () => {
    // Restored from a backup taken before sanfran heard from boston: its row for boston is low,
    // so its first export carries boston's own entries (boston has them all) and the notice.
    await chepoch(b.host.ctx, { replica: `${a.name}@${b.tag}`, values: [`${a.name}=0`] });
    const { incarnation } = await restorereplica(b.host.ctx, { tag: b.tag });
    const packets = await exportTo(b, a);
    const first = await importSync(a.host.ctx, { sources: packets });
    assert.deepStrictEqual(first.events.map((e) => e.type), ['applied']);
    const [info] = await listReplicas(a.host.ctx, a.tag);
    assert.strictEqual(info.replicas.find((r) => r.name === b.name)?.incarnation, incarnation);
    const again = await importSync(a.host.ctx, { sources: packets });
    assert.deepStrictEqual(again.events.map((e) => e.type), ['already']);
  });
});
