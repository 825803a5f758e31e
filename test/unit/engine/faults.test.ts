import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { rng, tempDir } from './packetFixtures';
import { TAG, child, digestOf, ensureCli, makeSite, packetsIn, restore, type Site } from './faultsSupport';

/**
 * Crash safety with real processes: syncreplica -import and -export are SIGKILLed at random
 * points, then run again; the replicas must converge (equal digest). Two imports at once must
 * not corrupt the replica. The seed is printed; FAULT_SEED=<n> replays a run.
 */
const TRIALS = Number(process.env.FAULT_TRIALS ?? 6);

describe('faults: killed and concurrent syncreplica processes', function () {
  this.timeout(300_000);
  const seed = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
  let root: string;
  let site: Site;
  let wantDigest: string;
  let packets: string;
  let importMs: number;
  let exportMs: number;

  before(async () => {
    ensureCli();
    // Imports commit many small oplog lines (see APPEND_LINE_BYTES), so kills land between them too.
    process.env.MULTISITE_OPLOG_LINE_BYTES = '2048';
    console.log(`      faults: seed ${seed} (replay with FAULT_SEED=${seed})`);
    root = tempDir('msfault-');
    site = await makeSite(root, { seed, files: 30, rounds: 3, maxBytes: 400_000 });
    wantDigest = await digestOf(site.a, root);
    // One reference export and import, uninterrupted, to learn how long each takes.
    packets = path.join(root, 'packets');
    fs.mkdirSync(packets);
    const ex = await child(site.a, ['syncreplica', '-export', '-maxsize', '1m', '-out', packets, `sanfran@${TAG}`]);
    assert.strictEqual(ex.status, 0, ex.err);
    exportMs = ex.ms;
    const saved = path.join(root, 'saved-packets');
    fs.cpSync(packets, saved, { recursive: true });
    const im = await child(site.b, ['syncreplica', '-import', packets]);
    assert.strictEqual(im.status, 0, im.err);
    importMs = im.ms;
    assert.strictEqual(await digestOf(site.b, root), wantDigest, 'an uninterrupted export and import converge');
    const vobs = path.join(site.b, 'vobs');
    const oplog = path.join(vobs, fs.readdirSync(vobs).find((n) => n.endsWith('.vbs')) ?? '', 'oplog');
    const lines = fs.readFileSync(oplog, 'utf8').split('\n').length - 1;
    assert.ok(lines >= 10, `the import committed ${lines} oplog lines, not many small ones`);
    fs.rmSync(packets, { recursive: true });
    packets = saved;
    assert.ok(packetsIn(packets).length > 3, 'the export is split into several packets');
  });

  after(() => {
    delete process.env.MULTISITE_OPLOG_LINE_BYTES;
    fs.rmSync(root, { recursive: true, force: true });
  });

  function fresh(name: string): string {
    const d = path.join(root, name);
    fs.rmSync(d, { recursive: true, force: true });
    fs.cpSync(packets, d, { recursive: true });
    return d;
  }

  it('an import killed at any point and run again converges', async () => {
    const next = rng(seed ^ 0x1111);
    await killTrials('import', importMs, async (t, at, context) => {
      restore(site.savedB, site.b);
      const dir = fresh(`import-${t}`);
      const first = await child(site.b, ['syncreplica', '-import', dir], at);
      if (process.env.FAULT_DEBUG) console.log(`${context}: ${first.signal ?? first.status} ${(await digestOf(site.b, root)).slice(0, 12)} want ${wantDigest.slice(0, 12)}`);
      const again = await child(site.b, ['syncreplica', '-import', dir]);
      assert.strictEqual(again.status, 0, `${context}: re-run failed: ${again.err}`);
      assert.strictEqual(await digestOf(site.b, root), wantDigest, `${context}: replicas differ`);
      const quarantine = path.join(site.b, 'shipping', 'quarantine');
      assert.ok(!fs.existsSync(quarantine) || fs.readdirSync(quarantine).length === 0, `${context}: a good packet was quarantined`);
      return first.signal === 'SIGKILL';
    }, next);
  });

  it('an export killed at any point and run again delivers everything', async () => {
    const next = rng(seed ^ 0x2222);
    await killTrials('export', exportMs, async (t, at, context) => {
      restore(site.savedA, site.a);
      restore(site.savedB, site.b);
      const dir = path.join(root, `export-${t}`);
      fs.mkdirSync(dir);
      const first = await child(site.a, ['syncreplica', '-export', '-maxsize', '1m', '-out', dir, `sanfran@${TAG}`], at);
      if (process.env.FAULT_DEBUG) console.log(`${context}: ${first.signal ?? first.status} ${fs.readdirSync(dir).length} files`);
      const again = await child(site.a, ['syncreplica', '-export', '-maxsize', '1m', '-out', dir, `sanfran@${TAG}`]);
      assert.strictEqual(again.status, 0, `${context}: re-run failed: ${again.err}`);
      assert.deepStrictEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.')), [], `${context}: temporary files left behind`);
      const im = await child(site.b, ['syncreplica', '-import', dir]);
      assert.strictEqual(im.status, 0, `${context}: import failed: ${im.err}`);
      assert.strictEqual(await digestOf(site.b, root), wantDigest, `${context}: replicas differ`);
      return first.signal === 'SIGKILL';
    }, next);
  });

  /**
   * Runs trials until TRIALS of them were killed mid-run (at most three times as many). A run
   * that finished before its kill still checks a re-run, and narrows the window: a loaded
   * machine makes the reference timing a poor guide.
   */
  async function killTrials(what: string, ms: number, trial: (t: number, at: number, context: string) => Promise<boolean>, next: () => number): Promise<void> {
    let killed = 0;
    let window = ms;
    let t = 0;
    for (; t < 3 * TRIALS && killed < TRIALS; t++) {
      const at = Math.floor(next() * window);
      if (await trial(t, at, `seed ${seed}, ${what} trial ${t}, kill after ${at} ms (reference run ${Math.round(ms)} ms)`)) killed++;
      else window *= 0.7;
    }
    assert.ok(killed >= TRIALS, `only ${killed} of ${t} ${what}s were killed before finishing (seed ${seed})`);
  }

  it('two imports of the same packets at once leave a correct replica', async () => {
    for (let t = 0; t < 2; t++) {
      restore(site.savedB, site.b);
      const dir = fresh(`concurrent-${t}`);
      const [one, two] = await Promise.all([child(site.b, ['syncreplica', '-import', dir]), child(site.b, ['syncreplica', '-import', dir])]);
      const context = `trial ${t}: ${one.status}/${two.status}\n${one.err}\n${two.err}`;
      assert.ok(one.status === 0 || two.status === 0, `${context}: neither import succeeded`);
      assert.strictEqual(await digestOf(site.b, root), wantDigest, `${context}: replicas differ`);
      const again = await child(site.b, ['syncreplica', '-import', dir]);
      assert.strictEqual(again.status, 0, `${context}: a third import failed: ${again.err}`);
      assert.strictEqual(await digestOf(site.b, root), wantDigest, `${context}: replicas differ after a third import`);
    }
  });
});
