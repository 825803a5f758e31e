import * as assert from 'assert';
import { MissingPredecessorError } from '../../../src/engine/sync/errors';
import { NotAPacketError } from '../../../src/engine/packet/errors';
import { summarize } from '../../../src/extension/commands/importSummary';
import { packetVerdict } from '../../../src/extension/view/packetVerdict';

describe('the editor\'s import summary', () => {
  const nothing = 'No packets to import.';

  it('says what the caller gave when the import found no packet', () => {
    assert.deepStrictEqual(summarize([], nothing), { ok: true, severity: 'info', message: nothing, counts: { applied: 0, already: 0, waiting: 0, skipped: 0, quarantined: 0, failed: 0, removed: 0 } });
  });

  it('counts applied packets and their changes, and packets removed from the bays', () => {
    const r = summarize([
      { type: 'applied', packet: '/b/in/p1', tag: '/vobs/dev', dir: '/v', ops: 3 },
      { type: 'applied', packet: '/b/in/p2', tag: '/vobs/dev', dir: '/v', ops: 1 },
      { type: 'already', packet: '/b/in/p0', tag: '/vobs/dev', dir: '/v' },
      { type: 'removed', packet: '/b/in/p1' },
    ], nothing);
    assert.strictEqual(r.message, 'Import: 2 applied (4 changes), 1 already applied, 1 packet removed from the bays.');
    assert.strictEqual(r.severity, 'info');
    assert.strictEqual(r.ok, true);
  });

  it('warns about a packet waiting for predecessors with the engine\'s reason, led by the packet\'s name', () => {
    const r = summarize([{ type: 'pending', packet: '/b/in/p7', tag: '/vobs/dev', dir: '/v', error: new MissingPredecessorError('/b/in/p7', 12, 9, 'boston_hub') }], nothing);
    assert.strictEqual(r.message, 'Import: 1 waiting for predecessors (p7: Packet requires changes up to 12; VOB has only 9 from replica "boston_hub").');
    assert.strictEqual(r.severity, 'warning');
    assert.strictEqual(r.ok, false);
  });

  it('reports a quarantined or failed packet as an error, not repeating a name the reason already gives', () => {
    const r = summarize([
      { type: 'quarantined', packet: '/b/in/p3', reason: 'Packet /b/in/p3 is damaged: bad checksum.', to: '/h/shipping/quarantine/p3' },
      { type: 'failed', packet: '/x/notes.txt', error: new NotAPacketError('/x/notes.txt') },
      { type: 'skipped', packet: '/b/in/c1', reason: '/b/in/c1 is a replica-creation packet' },
    ], nothing);
    assert.strictEqual(r.severity, 'error');
    assert.strictEqual(r.counts?.quarantined, 1);
    assert.strictEqual(r.counts?.failed, 1);
    assert.match(r.message, /^Import: 1 skipped \(\/b\/in\/c1 is a replica-creation packet\), 1 quarantined \(Packet \/b\/in\/p3 is damaged: bad checksum; the packet was moved to \/h\/shipping\/quarantine\/p3\), 1 failed \(File \/x\/notes\.txt is not a sync\. packet\)\.$/);
  });
});

describe('the Packets view\'s verdict on a packet', () => {
  it('is "ready" when one local replica can apply it, even if another target waits', () => {
    const v = packetVerdict([
      { state: 'waiting', replica: 'a', tag: '/t', wanted: 5, have: 2, from: 'boston_hub' },
      { state: 'applicable', replica: 'b', tag: '/u' },
    ]);
    assert.deepStrictEqual(v, { state: 'ready', description: 'ready' });
  });

  it('is "waiting for predecessors" with the import\'s own message', () => {
    const v = packetVerdict([{ state: 'waiting', replica: 'a', tag: '/t', wanted: 5, have: 2, from: 'boston_hub' }]);
    assert.strictEqual(v.state, 'waiting');
    assert.strictEqual(v.description, 'waiting for predecessors');
    assert.strictEqual(v.detail, new MissingPredecessorError('p', 5, 2, 'boston_hub').message);
  });

  it('is "not for this host" when every target lives elsewhere, naming them', () => {
    const v = packetVerdict([{ state: 'other-host', replica: 'paris_hub', host: 'paris' }]);
    assert.deepStrictEqual(v, { state: 'elsewhere', description: 'not for this host', detail: 'For paris_hub on paris; no target replica is on this host.' });
  });

  it('is "damaged" with the reason when the header cannot be read', () => {
    assert.deepStrictEqual(packetVerdict([{ state: 'unreadable', reason: 'x is not a sync. packet' }]), { state: 'damaged', description: 'damaged', detail: 'x is not a sync. packet' });
  });

  it('is "already applied" when the local replica has everything in it', () => {
    assert.strictEqual(packetVerdict([{ state: 'applied', replica: 'a', tag: '/t' }, { state: 'other-host', replica: 'b', host: 'h' }]).state, 'applied');
  });
});
