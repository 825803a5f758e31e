import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { quarantine, quarantineDir } from '../../../src/engine/packet';
import { tempDir } from './packetFixtures';

describe('packet quarantine', () => {
  let home: string;
  let bay: string;
  beforeEach(() => {
    home = tempDir('mshome-');
    bay = path.join(home, 'shipping', 'ms_ship', 'incoming');
    fs.mkdirSync(bay, { recursive: true });
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('moves a bad packet into shipping/quarantine with a reason file naming reason, time and origin', async () => {
    const file = path.join(bay, 'sync_boston_1');
    fs.writeFileSync(file, 'bad bytes');
    const q = await quarantine(file, 'its body checksum does not match its header', home);
    assert.strictEqual(q.path, path.join(quarantineDir(home), 'sync_boston_1'));
    assert.ok(!fs.existsSync(file));
    assert.strictEqual(fs.readFileSync(q.path, 'utf8'), 'bad bytes');
    const reason = fs.readFileSync(q.reasonFile, 'utf8');
    assert.match(reason, /^reason: its body checksum does not match its header$/m);
    assert.match(reason, /^time: \d{4}-\d\d-\d\dT/m);
    assert.match(reason, new RegExp(`^original: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
  });

  it('never overwrites an earlier quarantined packet of the same name', async () => {
    const file = path.join(bay, 'sync_boston_1');
    const got: string[] = [];
    for (const content of ['first', 'second', 'third']) {
      fs.writeFileSync(file, content);
      got.push((await quarantine(file, `reason ${content}`, home)).path);
    }
    assert.deepStrictEqual(got.map((p) => path.basename(p)), ['sync_boston_1', 'sync_boston_1_1', 'sync_boston_1_2']);
    assert.deepStrictEqual(got.map((p) => fs.readFileSync(p, 'utf8')), ['first', 'second', 'third']);
    assert.match(fs.readFileSync(`${got[1]}.reason`, 'utf8'), /reason second/);
  });

  it('reports a packet that has vanished instead of writing a reason for nothing', async () => {
    await assert.rejects(quarantine(path.join(bay, 'gone'), 'x', home), /Cannot quarantine packet .*gone/);
    assert.deepStrictEqual(fs.readdirSync(quarantineDir(home)), []);
  });
});
