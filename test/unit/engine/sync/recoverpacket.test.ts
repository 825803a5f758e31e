import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { digest, exportSync, importSync, mkelem, recoverpacket } from '../../../../src/engine/sync';
import { EXPORT_SYNCS_PER_TARGET } from '../../../../src/engine/store/epochMatrix';
import { makeFamily, makeHosts, tempDir, type TestReplica } from './syncFixtures';

describe('recoverpacket -since', function () {
  this.timeout(60_000);
  let root: string;
  let a: TestReplica;
  let b: TestReplica;
  beforeEach(async () => {
    root = tempDir('msrecover-');
    [a, b] = await makeFamily(root, makeHosts(root, ['boston', 'sanfran']), [0, 1]);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function exportTo(): Promise<string[]> {
    const out = fs.mkdtempSync(path.join(root, 'out-'));
    const res = await exportSync(a.host.ctx, { targets: [`${b.name}@${a.tag}`], out });
    return res.vobs.flatMap((v) => v.packets.map((p) => p.path));
  }

  it('a time before the oldest export still on record resends everything, not only what followed that export', async () => {
    const f = path.join(root, 'f');
    fs.writeFileSync(f, 'one\n');
    const t0 = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await mkelem(a.host.ctx, { tag: a.tag, path: 'lost.c', from: f });
    await exportTo(); // lost on the way
    // More exports than the replica keeps records of for one target: the lost one's is dropped.
    for (let i = 0; i < EXPORT_SYNCS_PER_TARGET; i++) await exportTo();
    const [r] = await recoverpacket(a.host.ctx, { replicas: [`${b.name}@${a.tag}`], since: t0 });
    assert.strictEqual(r.since, undefined, 'reset to the start');
    const res = await importSync(b.host.ctx, { sources: await exportTo() });
    assert.ok(res.ok, JSON.stringify(res.events));
    assert.strictEqual(await digest(b.host.ctx, { tag: b.tag }), await digest(a.host.ctx, { tag: a.tag }));
  });
});
