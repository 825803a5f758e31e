import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { Oplog } from '../../../../src/engine/store/oplog';
import type { Op } from '../../../../src/engine/store/ops';
import { Replica, STORE_FORMAT } from '../../../../src/engine/store/replica';

/**
 * Damage in the middle of the oplog followed by a valid transaction larger than one read chunk
 * (1 MiB): one fsimport of a few thousand files is such a transaction. The valid line after the
 * damage must still make the replica refuse to open; a writer must not cut it off.
 */

const ORIGIN = randomUUID();
const AT = '2026-11-21T21:09:22.285Z';

function elements(from: number, n: number, commentBytes: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) ops.push({ kind: 'element.create', path: `dir/file${from + i}.c`, comment: 'c'.repeat(commentBytes), origin: ORIGIN, id: from + i, at: AT } as Op);
  return ops;
}

describe('an oplog damaged before a transaction larger than a read chunk', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-oplog-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** An oplog of: one good transaction, one damaged line, then one good ~2.6 MB transaction. */
  function damagedBeforeLarge(file: string): { bad: number; size: number } {
    const log = new Oplog(file);
    log.append(elements(1, 1, 10));
    const bad = log.size();
    // A line whose checksum does not hold (a flipped byte, as a bad sector leaves it).
    fs.appendFileSync(file, `00000000\t${JSON.stringify(elements(2, 1, 10)[0])}\n`);
    const size = log.append(elements(3, 40, 64 * 1024));
    assert.ok(size - bad > 2 * 1024 * 1024, 'the valid transaction after the damage spans whole read chunks');
    return { bad, size };
  }

  it('refuses to scan past the damage (scan and scanEntries)', async () => {
    const file = path.join(dir, 'oplog');
    damagedBeforeLarge(file);
    const log = new Oplog(file);
    await assert.rejects(log.scan(0, () => undefined), /damaged at byte/);
    await assert.rejects(log.scanEntries(0, () => undefined), /damaged at byte/);
  });

  it('does not let a writer cut the valid transaction off', async () => {
    const rdir = path.join(dir, 'r');
    Replica.initialize(rdir, { format: STORE_FORMAT, familyOid: randomUUID(), oid: ORIGIN, name: 'boston_hub', host: 'boston', tag: '/vobs/dev', incarnation: 0, createdAt: new Date().toISOString() });
    const file = path.join(rdir, 'oplog');
    const { size } = damagedBeforeLarge(file);
    let opened: Replica | undefined;
    try {
      opened = await Replica.open(rdir, { command: 'test' });
    } catch (e) {
      assert.match(String(e), /damaged at byte/);
    } finally {
      opened?.close();
    }
    assert.strictEqual(fs.statSync(file).size, size, 'the oplog lost the valid transaction after the damage');
  });
});
