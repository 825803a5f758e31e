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
