import * as assert from 'assert';
import { randomUUID } from 'crypto';
import type { Op, OpBody } from '../../../../src/engine/store/ops';
import { applyOp, emptyState, type VobState } from '../../../../src/engine/store/vobState';
import { findMastershipViolation } from '../../../../src/engine/vob/entryMastership';

/** A family of three replicas: X made the VOB (masters "main"), Y and Z were created by X. */
describe('mastership of imported entries, as of each entry', () => {
  const X = randomUUID();
  const Y = randomUUID();
  const Z = randomUUID();
  const names: Record<string, string> = { [X]: 'boston_hub', [Y]: 'sanfran_hub', [Z]: 'paris_hub' };
  const nameOf = (o: string): string => names[o] ?? o;
  const HASH = 'a'.repeat(64);
  let state: VobState;
  let ids: Record<string, number>;

  const op = (origin: string, body: OpBody): Op => {
    ids[origin] = (ids[origin] ?? 0) + 1;
    return { origin, id: ids[origin], at: '2026-11-21T00:00:00Z', ...body } as Op;
  };
  const applied = (...ops: Op[]): void => ops.forEach((o) => applyOp(state, o));
  const violation = (...ops: Op[]): string | undefined => findMastershipViolation(state, ops, nameOf)?.reason;

  beforeEach(() => {
    state = emptyState();
    ids = {};
    applied(
      op(X, { kind: 'vob.create', familyOid: randomUUID(), replica: X, name: 'boston_hub', host: 'boston' }),
      op(X, { kind: 'replica.create', replica: Y, name: 'sanfran_hub', host: 'sanfran' }),
      op(X, { kind: 'replica.create', replica: Z, name: 'paris_hub', host: 'paris' }),
      op(X, { kind: 'element.create', path: 'a.c' }),
      op(X, { kind: 'version.create', path: 'a.c', branch: '/main', n: 1, blob: HASH, size: 1 }),
    );
  });

  it('accepts the master\'s changes and refuses another replica\'s, naming the entry, the object and its master', () => {
    assert.strictEqual(violation(op(X, { kind: 'version.create', path: 'a.c', branch: '/main', n: 2, blob: HASH, size: 1 })), undefined);
    ids[X] = 5;
    const v = findMastershipViolation(state, [op(Y, { kind: 'version.create', path: 'a.c', branch: '/main', n: 2, blob: HASH, size: 1 })], nameOf);
    assert.strictEqual(v?.reason, 'packet entry 1 from replica "sanfran_hub" (new version "a.c@@/main/2") was not made at the master: master replica of branch type "main" is "boston_hub"');
    assert.deepStrictEqual(v?.master, { master: X, describedAs: 'branch type "main"' });
  });

  it('refuses names in the VOB root (elements, branch and label types) from anyone but the master of "main"', () => {
    assert.match(violation(op(Y, { kind: 'element.create', path: 'b.c' })) ?? '', /\(new element "b\.c"\) was not made at the master: master replica of branch type "main" is "boston_hub"$/);
    assert.match(violation(op(Y, { kind: 'brtype.create', name: 'dev' })) ?? '', /\(new branch type "dev"\)/);
    assert.match(violation(op(Y, { kind: 'lbtype.create', name: 'REL1' })) ?? '', /\(new label type "REL1"\)/);
  });

  it('follows a chmaster earlier in the same batch: the new master may, the old one no longer may', () => {
    const handOver = op(X, { kind: 'master.change', object: 'brtype', name: 'main', to: Y });
    const byY = op(Y, { kind: 'version.create', path: 'a.c', branch: '/main', n: 2, blob: HASH, size: 1 });
    assert.strictEqual(violation(handOver, byY), undefined);
    const byXAfter = op(X, { kind: 'version.create', path: 'a.c', branch: '/main', n: 3, blob: HASH, size: 1 });
    assert.match(violation(handOver, byY, byXAfter) ?? '', /^packet entry 7 from replica "boston_hub" \(new version "a\.c@@\/main\/3"\) was not made at the master: master replica of branch type "main" is "sanfran_hub"$/);
  });

  it('refuses the new master\'s change when it comes before the chmaster that gives it mastership', () => {
    const handOver = op(X, { kind: 'master.change', object: 'brtype', name: 'main', to: Y });
    const byY = op(Y, { kind: 'version.create', path: 'a.c', branch: '/main', n: 2, blob: HASH, size: 1 });
    assert.match(violation(byY, handOver) ?? '', /from replica "sanfran_hub".*master replica of branch type "main" is "boston_hub"$/);
  });

  it('follows a chain of handovers through several origins, as a hub forwards them', () => {
    const xToY = op(X, { kind: 'master.change', object: 'brtype', name: 'main', to: Y });
    const yMakes = op(Y, { kind: 'brtype.create', name: 'dev' });
    const yToZ = op(Y, { kind: 'master.change', object: 'brtype', name: 'main', to: Z });
    const zMakes = op(Z, { kind: 'element.create', path: 'z.c' });
    const zBranches = op(Y, { kind: 'branch.create', path: 'a.c', branch: '/main/dev', from: 1 });
    assert.strictEqual(violation(xToY, yMakes, yToZ, zMakes, zBranches), undefined, 'branch type "dev" was made by sanfran_hub, which masters it');
    assert.match(violation(xToY, yMakes, yToZ, op(Y, { kind: 'element.create', path: 'late.c' })) ?? '', /master replica of branch type "main" is "paris_hub"$/);
  });

  it('uses a branch\'s own master once chmaster gave it one, before its branch type\'s', () => {
    applied(op(X, { kind: 'brtype.create', name: 'dev' }), op(X, { kind: 'branch.create', path: 'a.c', branch: '/main/dev', from: 1 }));
    const give = op(X, { kind: 'master.change', object: 'branch', name: 'a.c@@/main/dev', to: Z });
    assert.strictEqual(violation(give, op(Z, { kind: 'version.create', path: 'a.c', branch: '/main/dev', n: 1, blob: HASH, size: 1 })), undefined);
    assert.match(violation(give, op(X, { kind: 'version.create', path: 'a.c', branch: '/main/dev', n: 1, blob: HASH, size: 1 })) ?? '', /master replica of branch "a\.c@@\/main\/dev" is "paris_hub"$/);
    // A branch made in the same batch can be handed over in it too.
    applied(op(X, { kind: 'element.create', path: 'n.c' }));
    const make = op(X, { kind: 'branch.create', path: 'n.c', branch: '/main/dev', from: 0 });
    const giveNew = op(X, { kind: 'master.change', object: 'branch', name: 'n.c@@/main/dev', to: Y });
    assert.strictEqual(violation(make, giveNew, op(Y, { kind: 'version.create', path: 'n.c', branch: '/main/dev', n: 1, blob: HASH, size: 1 })), undefined);
  });

  it('checks labels against their label type\'s master and chmaster against the current master', () => {
    applied(op(X, { kind: 'lbtype.create', name: 'REL1' }));
    assert.match(violation(op(Y, { kind: 'label.set', lbtype: 'REL1', path: 'a.c', branch: '/main', n: 1 })) ?? '', /\(label "REL1" on "a\.c@@\/main\/1"\).*master replica of label type "REL1" is "boston_hub"$/);
    assert.match(violation(op(Y, { kind: 'master.change', object: 'lbtype', name: 'REL1', to: Y })) ?? '', /\(mastership of label type "REL1" to "sanfran_hub"\).*is "boston_hub"$/);
    const give = op(X, { kind: 'master.change', object: 'lbtype', name: 'REL1', to: Y });
    assert.strictEqual(violation(give, op(Y, { kind: 'label.set', lbtype: 'REL1', path: 'a.c', branch: '/main', n: 1 })), undefined);
  });

  it('refuses an entry that would create the VOB again or re-create a known replica elsewhere', () => {
    assert.match(violation(op(Y, { kind: 'vob.create', familyOid: randomUUID(), replica: Y, name: 'sanfran_hub', host: 'sanfran' })) ?? '', /\(creation of the VOB\) is refused: the VOB already exists$/);
    assert.match(violation(op(Y, { kind: 'replica.create', replica: Z, name: 'paris_hub', host: 'evil' })) ?? '', /\(new replica "paris_hub"\) is refused: replica "paris_hub" already exists$/);
    assert.strictEqual(violation(op(Y, { kind: 'replica.create', replica: randomUUID(), name: 'tokyo_hub', host: 'tokyo' })), undefined);
  });

  it('changes nothing in the replica\'s state while it checks', () => {
    const before = JSON.stringify(state);
    violation(
      op(X, { kind: 'master.change', object: 'brtype', name: 'main', to: Y }),
      op(Y, { kind: 'brtype.create', name: 'dev' }),
      op(Y, { kind: 'element.create', path: 'b.c' }),
      op(Y, { kind: 'branch.create', path: 'b.c', branch: '/main/dev', from: 0 }),
    );
    assert.strictEqual(JSON.stringify(state), before);
  });
});
