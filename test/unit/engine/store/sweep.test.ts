import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { mkelem, mkhost, mkvob } from '../../../../src/engine/sync';
import { hostLayout } from '../../../../src/engine/host/layout';
import { listVobTags } from '../../../../src/engine/host/registry';

/** What a kill -9 leaves half-written is reclaimed by the next command that takes the lock. */
describe('temp files of dead writers', () => {
  let root: string;
  let home: string;
  let dir: string;
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mssweep-'));
    home = path.join(root, 'h');
    mkhost(home, { name: 'boston' });
    await mkvob({ home }, { tag: '/vobs/dev', replica: 'boston_hub' });
    dir = listVobTags(hostLayout(home))[0].dir;
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** The pid of a process that has already exited: what a killed writer leaves in its names. */
  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(r.stdout);
  }

  it('removes a dead holder\'s half-written pack, blob and lock temps when its stale lock is broken, and keeps a live writer\'s', async () => {
    const dead = deadPid();
    const packs = path.join(dir, 'blobs', 'packs');
    const fan = path.join(dir, 'blobs', 'ab');
    fs.mkdirSync(packs, { recursive: true });
    fs.mkdirSync(fan, { recursive: true });
    const leftovers = [
      path.join(packs, `pack.tmp.${dead}.lq3.0`),
      path.join(fan, `ab${'0'.repeat(62)}.tmp.${dead}.lq3.1`),
      path.join(dir, `replica.lock.${dead}.0f8fad5b-d9cb-469f-a165-70867728950e.tmp`),
    ];
    for (const f of leftovers) fs.writeFileSync(f, Buffer.alloc(4096));
    const live = path.join(packs, `pack.tmp.${process.pid}.lq3.2`);
    fs.writeFileSync(live, 'in progress');
    // The dead writer's lock is still there, as kill -9 leaves it.
    fs.writeFileSync(path.join(dir, 'replica.lock'), JSON.stringify({ pid: dead, host: os.hostname(), command: 'checkin', since: new Date().toISOString() }));

    await mkelem({ home }, { tag: '/vobs/dev', path: 'a.c', from: path.join(root, 'v1') });

    for (const f of leftovers) assert.ok(!fs.existsSync(f), `${path.basename(f)} reclaimed`);
    assert.ok(fs.existsSync(live), 'a running writer\'s temp file is left alone');
  });

  it('removes a pack a dead holder renamed into place but left without its index, and keeps indexed and older ones', async () => {
    const dead = deadPid();
    const packs = path.join(dir, 'blobs', 'packs');
    fs.mkdirSync(packs, { recursive: true });
    const orphan = path.join(packs, 'pack-0f8fad5b-d9cb-469f-a165-70867728950e.pack');
    fs.writeFileSync(orphan, Buffer.alloc(64 * 1024));
    // An older pack without its index lost it some other way: it is not the dead holder's to remove.
    const older = path.join(packs, 'pack-6ba7b810-9dad-11d1-80b4-00c04fd430c8.pack');
    fs.writeFileSync(older, Buffer.alloc(1024));
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(older, hourAgo, hourAgo);
    const lock = path.join(dir, 'replica.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: dead, host: os.hostname(), command: 'syncreplica -import', since: new Date().toISOString() }));
    const minuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, minuteAgo, minuteAgo);
    const paired = path.join(packs, 'pack-1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    fs.writeFileSync(`${paired}.pack`, Buffer.alloc(1024));
    fs.writeFileSync(`${paired}.idx`, Buffer.alloc(64));
    await mkelem({ home }, { tag: '/vobs/dev', path: 'a.c', from: path.join(root, 'v1') });
    assert.ok(!fs.existsSync(orphan), 'the pack without an index stays for good');
    assert.ok(fs.existsSync(`${paired}.pack`) && fs.existsSync(`${paired}.idx`), 'a pack with its index was removed');
    assert.ok(fs.existsSync(older), 'a pack older than the dead holder\'s lock was removed');
    // Without a stale lock to break, nothing is swept: a pack without an index may be one being published.
    fs.writeFileSync(orphan, Buffer.alloc(64 * 1024));
    await mkelem({ home }, { tag: '/vobs/dev', path: 'b.c', from: path.join(root, 'v1') });
    assert.ok(fs.existsSync(orphan));
  });
});
