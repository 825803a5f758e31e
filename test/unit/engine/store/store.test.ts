import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { Readable } from 'stream';
import { isDeepStrictEqual } from 'util';
import { BlobStore, EMPTY_BLOB } from '../../../../src/engine/store/blobStore';
import { BlobHashMismatchError, ReplicaFormatError, ReplicaLockedError } from '../../../../src/engine/store/errors';
import { acquireLock } from '../../../../src/engine/store/lock';
import { Replica, snapshotPieces, STORE_FORMAT } from '../../../../src/engine/store/replica';
import { digestState, lookup } from '../../../../src/engine/store/vobState';
import { parseOpRecord, BadRecordError } from '../../../../src/engine/store/ops';

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function readAll(s: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

function newReplica(dir: string): { oid: string } {
  const oid = randomUUID();
  Replica.initialize(dir, { format: STORE_FORMAT, familyOid: randomUUID(), oid, name: 'boston_hub', host: 'boston', tag: '/vobs/dev', incarnation: 0, createdAt: new Date().toISOString() });
  return { oid };
}

describe('replica storage', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('msstore-');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('derives the own epoch row and the objects from the oplog when reopened', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    let r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    r.record([{ kind: 'element.create', path: 'src/a.c' }, { kind: 'brtype.create', name: 'dev' }]);
    const before = digestState(r.state);
    r.close();
    r = await Replica.open(dir, { command: 'test' });
    assert.deepStrictEqual({ ...r.ownRow() }, { [oid]: 3 });
    assert.ok(r.state.elements['src/a.c']);
    assert.strictEqual(digestState(r.state), before);
    r.close();
  });

  it('cuts a torn last oplog transaction off on open and keeps every complete one', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    let r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    r.record([{ kind: 'element.create', path: 'a' }]);
    r.close();
    const oplog = path.join(dir, 'oplog');
    const good = fs.statSync(oplog).size;
    // What a kill -9 in the middle of an append leaves: part of a line, no newline.
    fs.appendFileSync(oplog, '1234abcd {"ops":[{"kind":"element.create","path":"b","ori');
    r = await Replica.open(dir, { command: 'test' });
    assert.strictEqual(fs.statSync(oplog).size, good);
    assert.deepStrictEqual(Object.keys(r.state.elements), ['a']);
    r.record([{ kind: 'element.create', path: 'c' }]);
    r.close();
    r = await Replica.open(dir, { command: 'test' });
    assert.deepStrictEqual(Object.keys(r.state.elements).sort(), ['a', 'c']);
    assert.strictEqual(r.ownRow()[oid], 3);
    r.close();
  });

  it('refuses to open an oplog damaged in the middle rather than lose the entries after it', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    const r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    r.record([{ kind: 'element.create', path: 'a' }]);
    r.record([{ kind: 'element.create', path: 'b' }]);
    r.close();
    const oplog = path.join(dir, 'oplog');
    const buf = fs.readFileSync(oplog);
    const second = buf.indexOf('\n') + 20;
    buf[second] = buf[second] === 0x41 ? 0x42 : 0x41;
    fs.writeFileSync(oplog, buf);
    await assert.rejects(Replica.open(dir, { command: 'test' }), ReplicaFormatError);
  });

  it('opens format 1 storage, marks it format 2 before a command writes, and refuses a newer format', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    const identityFile = path.join(dir, 'replica.json');
    const setFormat = (n: number): void => fs.writeFileSync(identityFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(identityFile, 'utf8')), format: n }));
    const format = (): number => (JSON.parse(fs.readFileSync(identityFile, 'utf8')) as { format: number }).format;
    let r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    r.close();
    assert.strictEqual(format(), STORE_FORMAT);
    setFormat(1);
    r = await Replica.open(dir, { command: 'test', readOnly: true });
    assert.strictEqual(r.ownRow()[oid], 1);
    r.close();
    assert.strictEqual(format(), 1, 'a reader changes nothing');
    r = await Replica.open(dir, { command: 'test' });
    r.close();
    assert.strictEqual(format(), 2, 'a writer marks the store before writing in the new formats');
    setFormat(3);
    await assert.rejects(Replica.open(dir, { command: 'test' }), /storage format 3 is not supported \(expected 1 or 2\); it was written by a newer version/);
  });

  it('writes the snapshot in pieces that make the same JSON as the state', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    const r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston', comment: 'the "hub" ✓' }]);
    const names = ['__proto__', 'constructor', '0', '10', '2', 'ünïcode/ファイル.c', 'quote"and\\backslash'];
    for (let i = 0; i < 3000; i++) names.push(`dir${i % 7}/file${i}.c`);
    r.record(names.map((p) => ({ kind: 'element.create' as const, path: p.replace(/\\/g, '_') })));
    const snap = { format: 1, oplogBytes: 1234, state: r.state };
    const pieces = [...snapshotPieces(snap)];
    assert.ok(pieces.length > 1, 'a state this large comes in several pieces');
    // The same JSON value (the elements come last in the pieces); compared without printing megabytes.
    assert.ok(isDeepStrictEqual(JSON.parse(pieces.join('')), JSON.parse(JSON.stringify(snap))));
    assert.ok(pieces.join('').endsWith('}}}\n'));
    r.close();
  });

  it('takes a snapshot only for the oplog it was made of: its tail must match the oplog\'s last bytes', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    let r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    for (let i = 0; i < 20; i++) r.record([{ kind: 'element.create', path: `f${i}` }]);
    r.writeSnapshot();
    r.close();
    const file = path.join(dir, 'state.json');
    const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as { tail?: string; state: { elements: Record<string, unknown> } };
    assert.match(snap.tail ?? '', /^[0-9a-f]{1,8}$/);
    // A marker only the snapshot has shows whether an open used it.
    snap.state.elements['only-in-the-snapshot'] = { branches: { '/main': { versions: [] } }, labels: {} };
    fs.writeFileSync(file, JSON.stringify(snap));
    r = await Replica.open(dir, { command: 'test', readOnly: true });
    assert.ok(lookup(r.state.elements, 'only-in-the-snapshot'), 'a snapshot of this oplog is used');
    r.close();
    fs.writeFileSync(file, JSON.stringify({ ...snap, tail: 'deadbeef' }));
    r = await Replica.open(dir, { command: 'test', readOnly: true });
    assert.ok(!lookup(r.state.elements, 'only-in-the-snapshot'), 'one of another oplog is not');
    assert.strictEqual(Object.keys(r.state.elements).length, 20);
    r.close();
  });

  it('rebuilds derived state from the oplog when the snapshot is unreadable', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    let r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    for (let i = 0; i < 50; i++) r.record([{ kind: 'element.create', path: `f${i}` }]);
    r.writeSnapshot();
    r.record([{ kind: 'element.create', path: 'after-snapshot' }]);
    const want = digestState(r.state);
    r.close();
    r = await Replica.open(dir, { command: 'test' });
    assert.strictEqual(digestState(r.state), want, 'snapshot + oplog tail');
    r.close();
    fs.writeFileSync(path.join(dir, 'state.json'), '{"format":1,"oplogBytes":');
    r = await Replica.open(dir, { command: 'test' });
    assert.strictEqual(digestState(r.state), want, 'oplog alone');
    r.close();
  });

  it('keeps "__proto__" and "constructor" as plain element names', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    const r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    r.record([{ kind: 'element.create', path: '__proto__' }, { kind: 'element.create', path: 'constructor' }]);
    assert.deepStrictEqual(Object.keys(r.state.elements).sort(), ['__proto__', 'constructor']);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
    r.close();
  });

  it('reads names like "__proto__" back from the snapshot as plain keys of dictionaries without a prototype', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    let r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    r.record([
      { kind: 'element.create', path: '__proto__' },
      { kind: 'element.create', path: 'constructor' },
      { kind: 'brtype.create', name: 'toString' },
      { kind: 'branch.create', path: 'constructor', branch: '/main/toString', from: 0 },
      { kind: 'lbtype.create', name: 'hasOwnProperty' },
      { kind: 'label.set', lbtype: 'hasOwnProperty', path: 'constructor', branch: '/main', n: 0 },
    ]);
    r.writeSnapshot();
    const want = digestState(r.state);
    r.close();
    r = await Replica.open(dir, { command: 'test', readOnly: true });
    assert.strictEqual(digestState(r.state), want);
    const { elements, brtypes, lbtypes, replicas, row } = r.state;
    const el = lookup(elements, 'constructor');
    assert.ok(el);
    for (const d of [elements, brtypes, lbtypes, replicas, row, el.branches, el.labels]) assert.strictEqual(Object.getPrototypeOf(d), null);
    assert.deepStrictEqual(Object.keys(elements).sort(), ['__proto__', 'constructor']);
    assert.deepStrictEqual(Object.keys(el.branches).sort(), ['/main', '/main/toString']);
    assert.deepStrictEqual(lookup(el.labels, 'hasOwnProperty'), { branch: '/main', n: 0 });
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
    r.close();
  });

  it('replays the oplog when the snapshot has the wrong shape: a dictionary, or what one holds, not an object, a branch without versions', async () => {
    const dir = path.join(root, 'r');
    const { oid } = newReplica(dir);
    let r = await Replica.open(dir, { command: 'test' });
    r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
    r.record([{ kind: 'element.create', path: 'a.c' }]);
    r.writeSnapshot();
    const want = digestState(r.state);
    r.close();
    const file = path.join(dir, 'state.json');
    const good = fs.readFileSync(file, 'utf8');
    const bad = [
      '"elements":5',
      '"elements":{"a.c":{"branches":[],"labels":{}}}',
      '"elements":{"a.c":null}',
      '"elements":{"a.c":{"branches":{"/main":null},"labels":{}}}',
      '"elements":{"a.c":{"branches":{"/main":{"versions":7}},"labels":{}}}',
      '"elements":{"a.c":{"branches":{"/main":{"versions":[]}},"labels":{"L":null}}}',
    ];
    for (const text of bad) {
      fs.writeFileSync(file, good.replace(/"elements":\{.*\}\}\}\n?$/s, `${text}}}\n`));
      r = await Replica.open(dir, { command: 'test', readOnly: true });
      assert.strictEqual(digestState(r.state), want, text);
      r.close();
    }
    fs.writeFileSync(file, good.replace('"replicas":{', '"replicas":{"x":null,'));
    r = await Replica.open(dir, { command: 'test', readOnly: true });
    assert.strictEqual(digestState(r.state), want, 'a replica that is not an object');
    r.close();
  });
});

describe('replica lock', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('mslock-');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('makes a second command wait with a message until the first releases', async () => {
    const file = path.join(root, 'replica.lock');
    const first = await acquireLock(file, 'boston_hub@/vobs/dev', { command: 'syncreplica -import' });
    const messages: string[] = [];
    const second = acquireLock(file, 'boston_hub@/vobs/dev', { command: 'checkin', onWait: (m) => messages.push(m), timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 150));
    assert.strictEqual(messages.length, 1);
    assert.match(messages[0], /Replica "boston_hub@\/vobs\/dev" is locked by process \d+ .*syncreplica -import.*waiting up to 5 s/);
    first.release();
    (await second).release();
    assert.ok(!fs.existsSync(file));
  });

  it('gives up after the timeout with an error naming the holder', async () => {
    const file = path.join(root, 'replica.lock');
    const first = await acquireLock(file, 'r@/v', { command: 'mkreplica -export' });
    await assert.rejects(acquireLock(file, 'r@/v', { command: 'checkin', timeoutMs: 200 }), (e: unknown) => {
      assert.ok(e instanceof ReplicaLockedError);
      assert.match((e as Error).message, /Replica "r@\/v" is locked by process \d+ on .* \(mkreplica -export, since .*\); gave up after 0 s/);
      return true;
    });
    first.release();
  });

  it('breaks a lock left by a process that no longer exists', async () => {
    const file = path.join(root, 'replica.lock');
    // A pid far above pid_max is never a live process.
    fs.writeFileSync(file, JSON.stringify({ pid: 99999999, host: os.hostname(), command: 'killed', since: 'then', token: 'x' }));
    const held = await acquireLock(file, 'r@/v', { command: 'checkin', timeoutMs: 2000 });
    assert.strictEqual(JSON.parse(fs.readFileSync(file, 'utf8')).pid, process.pid);
    held.release();
  });
});

describe('content store', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('msblob-');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stores equal content once and reads it back after reopening', async () => {
    const store = new BlobStore(root);
    const b = store.batch();
    const a1 = await b.put(Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    const a2 = await b.put(Readable.from([Buffer.from('hello world')]));
    assert.strictEqual(a1.hash, a2.hash);
    assert.strictEqual(b.pending, 1);
    await b.commit();
    const again = new BlobStore(root);
    assert.ok(again.has(a1.hash, 11));
    assert.strictEqual(await readAll(again.open(a1.hash)), 'hello world');
    assert.strictEqual(await readAll(again.open(EMPTY_BLOB)), '');
  });

  it('closes an import batch\'s pack every so many contents, shows nothing before commit and removes it all on abort', async () => {
    const { createHash } = await import('crypto');
    const store = new BlobStore(root);
    const put = async (b: ReturnType<BlobStore['batch']>, text: string): Promise<string> => {
      const data = Buffer.from(text);
      const hash = createHash('sha256').update(data).digest('hex');
      await b.putStored({ hash, size: data.length }, data);
      return hash;
    };
    const packFiles = (): string[] => (fs.existsSync(path.join(root, 'packs')) ? fs.readdirSync(path.join(root, 'packs')) : []);
    const aborted = store.batch(10);
    for (let i = 0; i < 35; i++) await put(aborted, `aborted ${i}`);
    assert.strictEqual(packFiles().filter((n) => n.endsWith('.idx')).length, 0, 'nothing is visible before commit');
    assert.ok(packFiles().length >= 3, 'closed packs wait under temporary names');
    await aborted.abort();
    assert.deepStrictEqual(packFiles(), []);
    const b = store.batch(10);
    const hashes: string[] = [];
    for (let i = 0; i < 35; i++) hashes.push(await put(b, `content ${i}`));
    // Content already in a closed pack of the batch is not stored twice.
    await put(b, 'content 3');
    assert.ok(!store.has(hashes[0]), 'not in the store before commit');
    await b.commit();
    assert.strictEqual(packFiles().filter((n) => n.endsWith('.idx')).length, 4);
    assert.strictEqual(packFiles().filter((n) => n.endsWith('.pack')).length, 4);
    const fresh = new BlobStore(root);
    for (const [i, h] of hashes.entries()) assert.strictEqual(await readAll(fresh.open(h)), `content ${i}`);
    const total = packFiles().filter((n) => n.endsWith('.pack')).reduce((n, f) => n + fs.statSync(path.join(root, 'packs', f)).size, 0);
    assert.strictEqual(total, hashes.reduce((n, _, i) => n + Buffer.byteLength(`content ${i}`), 0), 'each content once');
  });

  it('removes the closed packs it could not publish when a commit fails, keeping those it did', async () => {
    const { createHash } = await import('crypto');
    const durable = (await import('../../../../src/engine/store/durable')) as { writeFileAtomic: (...a: unknown[]) => void };
    const store = new BlobStore(root);
    const b = store.batch(10);
    for (let i = 0; i < 35; i++) {
      const data = Buffer.from(`content ${i}`);
      await b.putStored({ hash: createHash('sha256').update(data).digest('hex'), size: data.length }, data);
    }
    const original = durable.writeFileAtomic;
    let calls = 0;
    durable.writeFileAtomic = (...a: unknown[]) => {
      if (++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      original(...a);
    };
    try {
      await assert.rejects(b.commit(), /ENOSPC/);
    } finally {
      durable.writeFileAtomic = original;
    }
    const left = fs.readdirSync(path.join(root, 'packs')).sort();
    assert.strictEqual(left.filter((n) => n.endsWith('.idx')).length, 1, left.join(' '));
    assert.strictEqual(left.filter((n) => n.endsWith('.pack')).length, 1, left.join(' '));
    assert.deepStrictEqual(left.filter((n) => !n.endsWith('.idx') && !n.endsWith('.pack')), [], 'no temporary pack is left');
  });

  it('writes a many-version batch as one pack with an index, and a small batch as loose files', async () => {
    const store = new BlobStore(root);
    const big = store.batch();
    for (let i = 0; i < 40; i++) await big.put(Readable.from([Buffer.from(`version ${i}`)]));
    await big.commit();
    const small = store.batch();
    const one = await small.put(Readable.from([Buffer.from('just one')]));
    await small.commit();
    const packs = fs.readdirSync(path.join(root, 'packs')).sort();
    assert.strictEqual(packs.filter((p) => p.endsWith('.pack')).length, 1);
    assert.strictEqual(packs.filter((p) => p.endsWith('.idx')).length, 1);
    assert.ok(fs.existsSync(store.loosePath(one.hash)));
    const fresh = new BlobStore(root);
    for (let i = 0; i < 40; i += 13) {
      const h = (await fresh.batch().put(Readable.from([Buffer.from(`version ${i}`)]))).hash;
      assert.strictEqual(await readAll(fresh.open(h)), `version ${i}`);
    }
  });

  it('reads packed and loose content positionally, within its own bytes only', async () => {
    const store = new BlobStore(root);
    const big = store.batch();
    const refs: Array<{ hash: string; size: number }> = [];
    for (let i = 0; i < 20; i++) refs.push(await big.put(Readable.from([Buffer.from(`version ${i} `.repeat(i + 1))])));
    await big.commit();
    const small = store.batch();
    const loose = await small.put(Readable.from([Buffer.from('loose')]));
    await small.commit();
    const fresh = new BlobStore(root);
    for (const [i, ref] of refs.entries()) {
      const packed = fresh.packed(ref.hash);
      assert.ok(packed);
      assert.strictEqual(packed.deflated, undefined, 'content under 256 bytes is kept as it is');
      const read = (buf: Buffer, offset: number, length: number, position: number): number => fresh.readPacked(packed, buf, offset, length, position);
      const buf = Buffer.alloc(ref.size + 2);
      assert.strictEqual(read(buf, 2, ref.size - 1, 1), ref.size - 1);
      assert.strictEqual(buf.toString('utf8', 2, ref.size + 1), `version ${i} `.repeat(i + 1).slice(1));
      assert.throws(() => read(buf, 0, 2, ref.size - 1), RangeError);
    }
    assert.strictEqual(fresh.packed(loose.hash), undefined);
    const buf = Buffer.alloc(8);
    const l = fresh.loose(loose.hash, 5);
    assert.ok(l);
    assert.strictEqual(l.deflated, undefined, 'content this small is kept as it is');
    assert.strictEqual(fresh.readLoose(l, buf, 1, 3, 2), 3);
    assert.strictEqual(buf.toString('utf8', 1, 4), 'ose');
    assert.strictEqual(fresh.readLoose(l, buf, 0, 5, 0), 5, 'the open file is read again from any position');
    assert.throws(() => fresh.readLoose(l, buf, 0, 2, 4), RangeError);
    assert.strictEqual(fresh.loose(refs[0].hash, refs[0].size), undefined, 'packed content is not loose');
    // A loose file whose size is not the recorded one is refused, not read short or long.
    fs.appendFileSync(fresh.loosePath(loose.hash), 'x');
    const other = new BlobStore(root);
    assert.throws(() => other.readLoose(l, buf, 0, 5, 0), /its file is 6 bytes where 5 were recorded/);
    other.close();
    fresh.close();
  });

  it('refuses content that does not hash to the name it arrives under and keeps nothing of it', async () => {
    const store = new BlobStore(root);
    const b = store.batch();
    await assert.rejects(b.put(Readable.from([Buffer.from('evil')]), { hash: 'a'.repeat(64), size: 4 }), BlobHashMismatchError);
    assert.strictEqual(b.pending, 0);
    await b.commit();
    assert.ok(!store.has('a'.repeat(64)));
  });

  it('leaves no trace of an aborted batch', async () => {
    const store = new BlobStore(root);
    const b = store.batch();
    const r = await b.put(Readable.from([Buffer.from('never committed')]));
    await b.abort();
    assert.ok(!store.has(r.hash));
    assert.deepStrictEqual(fs.readdirSync(path.join(root, 'packs')), []);
  });
});

describe('oplog records from packets', () => {
  const origin = randomUUID();
  it('refuses element paths that leave the VOB', () => {
    for (const bad of ['../etc/passwd', '/etc/passwd', 'a/../../b', 'a//b', 'C:/x', 'a\\b', 'a/./b', 'x@@/main/1']) {
      assert.throws(() => parseOpRecord({ kind: 'element.create', origin, id: 1, at: 'now', path: bad }), BadRecordError, bad);
    }
  });
  it('refuses unknown kinds and malformed fields', () => {
    assert.throws(() => parseOpRecord({ kind: 'rm.rf', origin, id: 1, at: 'now' }), BadRecordError);
    assert.throws(() => parseOpRecord({ kind: 'element.create', origin: 'not-an-oid', id: 1, at: 'now', path: 'a' }), BadRecordError);
    assert.throws(() => parseOpRecord({ kind: 'element.create', origin, id: -1, at: 'now', path: 'a' }), BadRecordError);
    assert.throws(() => parseOpRecord({ kind: 'version.create', origin, id: 1, at: 'now', path: 'a', branch: '/main/../x', n: 1, blob: 'a'.repeat(64), size: 1 }), BadRecordError);
  });
  it('keeps only the known fields of a valid record', () => {
    const op = parseOpRecord({ kind: 'element.create', origin, id: 2, at: 'now', path: 'src/a.c', extra: 'dropped' });
    assert.deepStrictEqual(op, { kind: 'element.create', origin, id: 2, at: 'now', path: 'src/a.c' });
  });
  it('rebuilds every kind with its fields in the order entries are stored in, comment and dependencies included', () => {
    const other = randomUUID();
    const blob = 'b'.repeat(64);
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ kind: 'version.create', origin, id: 3, at: 'now', deps: { [other]: 4 }, path: 'a.c', branch: '/main', n: 2, blob, size: 9, comment: 'fix' }, ['origin', 'id', 'at', 'deps', 'kind', 'path', 'branch', 'n', 'blob', 'size', 'comment']],
      [{ kind: 'version.create', origin, id: 3, at: 'now', path: 'a.c', branch: '/main', n: 2, blob, size: 9, comment: '' }, ['origin', 'id', 'at', 'kind', 'path', 'branch', 'n', 'blob', 'size']],
      [{ kind: 'vob.create', origin, id: 1, at: 'now', familyOid: other, replica: origin, name: 'boston', host: 'h1', comment: 'c' }, ['origin', 'id', 'at', 'kind', 'familyOid', 'replica', 'name', 'host', 'comment']],
      [{ kind: 'branch.create', origin, id: 1, at: 'now', path: 'a.c', branch: '/main/dev', from: 1 }, ['origin', 'id', 'at', 'kind', 'path', 'branch', 'from']],
      [{ kind: 'label.set', origin, id: 1, at: 'now', lbtype: 'REL', path: 'a.c', branch: '/main', n: 1 }, ['origin', 'id', 'at', 'kind', 'lbtype', 'path', 'branch', 'n']],
      [{ kind: 'master.change', origin, id: 1, at: 'now', object: 'branch', name: 'a.c@@/main/dev', to: other }, ['origin', 'id', 'at', 'kind', 'object', 'name', 'to']],
    ];
    for (const [rec, keys] of cases) {
      const op = parseOpRecord(rec) as unknown as Record<string, unknown>;
      assert.deepStrictEqual(Object.keys(op), keys, String(rec.kind));
      for (const k of keys) assert.deepStrictEqual(op[k], rec[k], `${String(rec.kind)} ${k}`);
    }
  });
});
