import * as assert from 'assert';
import * as fs from 'fs';
import { findVobTag, hostLayout } from '../../../src/engine/sync';
import { Replica } from '../../../src/engine/store/replica';
import { errorLine, multitool, type Ran, replicatedHosts, succeed, tempRoot } from './cliSupport';

describe('multitool syncreplica -import and a change made at a non-master', function () {
  this.timeout(30000);
  let root: string;
  let a: string;
  let b: string;
  const T = '/vobs/dev';
  const at = (home: string, ...args: string[]): Promise<Ran> => multitool(home, root, ...args);
  const ok = (home: string, ...args: string[]): Promise<Ran> => succeed(home, root, ...args);

  beforeEach(async () => {
    root = tempRoot('mscli-impmaster-');
    [a, b] = await replicatedHosts(root, ['boston', 'sanfran'], T);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses the whole packet in one error line naming the entry, the object and its master, exit status 1', async () => {
    // sanfran_hub records an element although branch type "main" (the VOB root) is boston_hub's,
    // as a modified engine at a configured peer could; its packet is signed correctly.
    const r = await Replica.open(findVobTag(hostLayout(b), T, 'sanfran').dir, { command: 'forge' });
    try {
      r.record([{ kind: 'element.create', path: 'sneaked.c' }]);
    } finally {
      r.close();
    }
    const ex = await ok(b, 'syncreplica', '-export', '-out', 'pk/p1', `boston_hub@${T}`);
    assert.strictEqual(ex.out.length, 1, ex.out.join('\n'));
    const before = (await ok(a, 'digest', '-invob', T)).out;

    const im = await at(a, 'syncreplica', '-import', 'pk/p1');

    assert.strictEqual(im.status, 1);
    assert.match(
      errorLine(im),
      /^packet entry 1 from replica "sanfran_hub" \(new element "sneaked\.c"\) was not made at the master: master replica of branch type "main" is "boston_hub"; the packet was moved to .*quarantine.*p1\.$/,
    );
    assert.deepStrictEqual((await ok(a, 'digest', '-invob', T)).out, before);
    assert.match(errorLine(await at(a, 'lsvtree', '-invob', T, 'sneaked.c')), /not found/);
  });
});
