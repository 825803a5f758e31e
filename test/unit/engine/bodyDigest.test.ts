import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

/** The body-hashing thread must never keep a command alive: a command that fails must still exit. */
describe('the body-hashing thread', function () {
  this.timeout(60_000);
  const module = path.resolve(__dirname, '../../../src/engine/packet/bodyDigest.js');

  const cases: Record<string, string> = {
    'started ahead and never taken': 'bd.prewarmBodyHash();',
    'taken, fed and abandoned': 'const h = bd.bodyHash(64 * 1024 * 1024); h.update(Buffer.alloc(3 * 1024 * 1024, 7));',
    'taken and the command throwing': 'const h = bd.bodyHash(64 * 1024 * 1024); h.update(Buffer.alloc(3 * 1024 * 1024, 7)); process.exitCode = 3; throw new Error("boom");',
  };
  for (const [name, code] of Object.entries(cases)) {
    it(`lets the process exit when it is ${name}`, () => {
      const r = spawnSync(process.execPath, ['-e', `const bd = require(${JSON.stringify(module)}); ${code}`], { timeout: 20_000, encoding: 'utf8' });
      assert.notStrictEqual(r.signal, 'SIGTERM', 'the process was still running after 20 s');
      assert.ok(r.status === 0 || /boom/.test(r.stderr), `status ${r.status}: ${r.stderr}`);
    });
  }

  it('keeps the process alive while a digest is awaited, and gives the right one', () => {
    const code = `const bd = require(${JSON.stringify(module)}); const c = require('crypto');
      const data = c.randomBytes(40 * 1024 * 1024 + 5); const h = bd.bodyHash(data.length); h.update(data);
      h.digest().then((d) => console.log(d === c.createHash('sha256').update(data).digest('hex') ? 'same' : 'differs'));`;
    const r = spawnSync(process.execPath, ['-e', code], { timeout: 30_000, encoding: 'utf8' });
    assert.strictEqual(r.stdout.trim(), 'same', r.stderr);
  });
});
