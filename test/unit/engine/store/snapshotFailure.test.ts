import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { Replica, STORE_FORMAT } from '../../../../src/engine/store/replica';
import type { OpBody } from '../../../../src/engine/store/ops';

/**
 * A writer's snapshot is written when it closes, after its work is committed. If it cannot be
 * written (a full disk), the command has still done its work and must not report a failure,
 * which a user would take for nothing done and run again.
 */
describe('a snapshot that cannot be written', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mssnapfail-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Element creations filling more than the 256 KB after which a writer snapshots. */
  function manyElements(n: number): OpBody[] {
    return Array.from({ length: n }, (_, i) => ({ kind: 'element.create', path: `src/${'long-directory-name/'.repeat(6)}file-${i}.c` }) as OpBody);
  }

  it('leaves the committed work in place and the close quiet', async () => {
    const dir = path.join(root, 'r');
    const oid = randomUUID();
    Replica.initialize(dir, { format: STORE_FORMAT, familyOid: randomUUID(), oid, name: 'boston', host: 'boston', tag: '/vobs/dev', incarnation: 0, createdAt: new Date().toISOString() });
    const r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston', host: 'boston' }]);
    r.record(manyElements(2500));
    assert.ok(fs.statSync(path.join(dir, 'oplog')).size > 256 * 1024, 'not enough oplog for a snapshot');
    // A state.json that cannot be replaced stands in for a full disk.
    fs.mkdirSync(path.join(dir, 'state.json', 'in-the-way'), { recursive: true });
    assert.doesNotThrow(() => r.close());
    assert.deepStrictEqual(
      fs.readdirSync(dir).filter((n) => n.includes('.tmp.')),
      [],
      'the snapshot left a temp file',
    );
    fs.rmSync(path.join(dir, 'state.json'), { recursive: true });
    const again = await Replica.open(dir, { command: 'test', readOnly: true });
    try {
      assert.strictEqual(again.ownRow()[oid], 2501);
      assert.ok(again.state.elements[`src/${'long-directory-name/'.repeat(6)}file-2499.c`]);
    } finally {
      again.close();
    }
  });
});

describe('a reader\'s snapshot of an oplog replaced while it read', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mssnapstale-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A replica of `oid` whose history is the VOB's creation and 2,500 elements named after `tag`. */
  async function history(dir: string, oid: string, family: string, tag: string): Promise<void> {
    Replica.initialize(dir, { format: STORE_FORMAT, familyOid: family, oid, name: 'boston', host: 'boston', tag: '/vobs/dev', incarnation: 0, createdAt: new Date().toISOString() });
    const r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: family, replica: oid, name: 'boston', host: 'boston' }]);
    r.record(Array.from({ length: 2500 }, (_, i) => ({ kind: 'element.create', path: `${tag}/${'long-directory-name/'.repeat(6)}file-${i}.c` }) as OpBody));
    r.close();
    for (const f of ['state.json', 'skeleton.json']) fs.rmSync(path.join(dir, f), { force: true });
  }

  it('is not written: the next open reads the oplog that is there, not the state of the one replaced', async () => {
    const oid = randomUUID();
    const family = randomUUID();
    const dir = path.join(root, 'r');
    const other = path.join(root, 'other');
    await history(dir, oid, family, 'bbb');
    await history(other, oid, family, 'ccc');
    assert.strictEqual(fs.statSync(path.join(dir, 'oplog')).size, fs.statSync(path.join(other, 'oplog')).size);
    const reader = await Replica.open(dir, { command: 'lsvtree', readOnly: true });
    assert.ok(reader.state.elements[`bbb/${'long-directory-name/'.repeat(6)}file-0.c`]);
    // Replaced while the reader runs (a backup copied over it, say): same length, other entries.
    fs.copyFileSync(path.join(other, 'oplog'), path.join(dir, 'oplog'));
    reader.close();
    const next = await Replica.open(dir, { command: 'lsvtree', readOnly: true });
    try {
      assert.ok(next.state.elements[`ccc/${'long-directory-name/'.repeat(6)}file-0.c`], 'the snapshot of the replaced oplog was taken for this one');
      assert.strictEqual(next.state.elements[`bbb/${'long-directory-name/'.repeat(6)}file-0.c`], undefined);
    } finally {
      next.close();
    }
  });
});
