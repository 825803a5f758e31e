import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLock } from '../../../../src/engine/store/lock';

/**
 * A holder killed with kill -9 is a zombie until its parent reaps it, and a parent that never
 * does (a supervisor that died, a container without an init) leaves it so for good. It still
 * answers signal 0, but will never release the lock.
 */
describe('a lock held by a zombie process', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mszombie-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is broken at once, as a dead holder\'s is (Linux)', async function () {
    if (process.platform !== 'linux') this.skip();
    // sh starts a short child, prints its pid and becomes a `sleep` that never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 20'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      const deadline = Date.now() + 5000;
      while (!fs.readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ')) {
        if (Date.now() > deadline) throw new Error(`process ${pid} did not become a zombie`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const file = path.join(root, 'replica.lock');
      fs.writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), command: 'syncreplica -import', since: new Date().toISOString(), token: 'x' }));
      const waits: string[] = [];
      const held = await acquireLock(file, 'r@/v', { command: 'checkin', timeoutMs: 1500, onWait: (m) => waits.push(m) });
      try {
        assert.ok(held.brokeStale);
        assert.deepStrictEqual(waits, [], 'it waited for a zombie');
      } finally {
        held.release();
      }
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
