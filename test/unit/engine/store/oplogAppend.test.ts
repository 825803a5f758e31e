import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { Oplog, OplogAppender, opJson } from '../../../../src/engine/store/oplog';
import type { Op } from '../../../../src/engine/store/ops';

/**
 * An import appends its entries as it reads them, in lines of bounded size that only commit()
 * makes valid (OplogAppender): until then, and after abort(), the oplog reads as it was.
 */

const ORIGIN = randomUUID();
const HASH = 'cd'.repeat(32);

function versions(from: number, n: number): Op[] {
  const at = '2026-11-22T01:00:00.000Z';
  const out: Op[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ kind: 'version.create', path: `dir/file ${i % 7} ✓.txt`, branch: '/main', n: i + 1, blob: HASH, size: 10 + i, comment: `change ${from + i}`, origin: ORIGIN, id: from + i, at } as Op);
  }
  return out;
}

async function readBack(file: string): Promise<{ lines: number; ids: number[]; end: number; torn: number }> {
  const ids: number[] = [];
  let lines = 0;
  const scan = await new Oplog(file).scan(0, (txn) => {
    lines++;
    for (const op of txn.ops) ids.push(op.id);
  });
  return { lines, ids, end: scan.end, torn: scan.tornBytes };
}

describe('oplog appends of an import', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oplog-append-'));
    file = path.join(dir, 'oplog');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('splits a long append into lines of bounded size, each read back as a transaction', async () => {
    const before = new Oplog(file).append(versions(1, 3));
    const a = new OplogAppender(file, before, 2000);
    const ops = versions(4, 200);
    for (const op of ops) a.add(opJson(op));
    const end = a.commit();
    assert.strictEqual(end, fs.statSync(file).size);
    const back = await readBack(file);
    assert.ok(back.lines > 10, `${back.lines} lines for 200 entries of ~200 bytes at 2,000 bytes a line`);
    assert.deepStrictEqual(back.ids, Array.from({ length: 203 }, (_, i) => i + 1));
    assert.strictEqual(back.torn, 0);
    const lineLengths = fs.readFileSync(file, 'utf8').split('\n').slice(1, -1).map((l) => l.length);
    assert.ok(Math.max(...lineLengths) < 2000 + 400, `longest line ${Math.max(...lineLengths)}`);
  });

  it('leaves nothing valid before commit: a killed import is a torn tail, cut off by the next writer', async () => {
    const before = new Oplog(file).append(versions(1, 2));
    const a = new OplogAppender(file, before, 1000);
    for (const op of versions(3, 50)) a.add(opJson(op));
    // The process dies here: the lines are on disk under their placeholder checksums.
    (a as unknown as { flush(): void }).flush();
    const back = await readBack(file);
    assert.deepStrictEqual(back.ids, [1, 2]);
    assert.strictEqual(back.end, before);
    assert.ok(back.torn > 5000, `${back.torn} torn bytes`);
    // A new append starts where the valid oplog ends, whatever was left after it.
    const b = new OplogAppender(file, before);
    b.add(opJson(versions(3, 1)[0]));
    b.commit();
    assert.deepStrictEqual((await readBack(file)).ids, [1, 2, 3]);
    a.abort();
  });

  it('keeps a prefix of whole lines when commit stops part way, and the rest can be appended again', async () => {
    const a = new OplogAppender(file, 0, 1500);
    for (const op of versions(1, 60)) a.add(opJson(op));
    const lines = (a as unknown as { lines: Array<{ start: number; crc: number }> }).lines;
    assert.ok(lines.length >= 3);
    // commit() writes the checksums first to last, syncing after each: a crash after the second
    // leaves two valid lines and torn ones after them.
    const committed = a.commit();
    const text = fs.readFileSync(file);
    for (const l of lines.slice(2)) text.write('XXXXXXXX', l.start, 'latin1');
    fs.writeFileSync(file, text);
    const back = await readBack(file);
    assert.ok(back.ids.length > 0 && back.ids.length < 60);
    assert.deepStrictEqual(back.ids, Array.from({ length: back.ids.length }, (_, i) => i + 1), 'a prefix, in order');
    assert.ok(back.torn > 0 && back.end + back.torn === committed);
    // The re-run appends what is missing after the valid prefix.
    const b = new OplogAppender(file, back.end, 1500);
    for (const op of versions(back.ids.length + 1, 60 - back.ids.length)) b.add(opJson(op));
    b.commit();
    assert.deepStrictEqual((await readBack(file)).ids, Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('aborts back to where it started, and commits nothing when given nothing', async () => {
    const before = new Oplog(file).append(versions(1, 2));
    const a = new OplogAppender(file, before, 500);
    for (const op of versions(3, 30)) a.add(opJson(op));
    a.abort();
    assert.strictEqual(fs.statSync(file).size, before);
    const empty = new OplogAppender(file, before);
    assert.strictEqual(empty.commit(), before);
    assert.strictEqual(fs.statSync(file).size, before);
    assert.deepStrictEqual((await readBack(file)).ids, [1, 2]);
  });

  it('streams entries a line at a time with entryLines, as scanEntries reads them', async () => {
    const a = new OplogAppender(file, 0, 1200);
    for (const op of versions(1, 40)) a.add(opJson(op));
    a.commit();
    const lines: number[][] = [];
    for await (const entries of new Oplog(file).entryLines(0)) lines.push(entries.map((e) => e.id));
    assert.ok(lines.length > 3);
    const flat: number[] = [];
    await new Oplog(file).scanEntries(0, (e) => flat.push(e.id));
    assert.deepStrictEqual(lines.flat(), flat);
    assert.deepStrictEqual(flat, Array.from({ length: 40 }, (_, i) => i + 1));
  });
});

describe('an import opens the replica without its versions', () => {
  it('imports into the skeleton, keeps skeleton.json up to date, and the full state matches the sender', async () => {
    const { succeed, replicatedHosts, tempRoot } = await import('../../cli/cliSupport');
    const { Replica } = await import('../../../../src/engine/store/replica');
    const root = tempRoot('msskeleton-');
    try {
      const [a, b] = await replicatedHosts(root);
      const src = path.join(root, 'src');
      fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
      fs.mkdirSync(path.join(root, 'out'));
      const replicaDir = (home: string): string => path.join(home, 'vobs', fs.readdirSync(path.join(home, 'vobs')).find((n) => n.endsWith('.vbs')) ?? '');
      const digest = async (home: string): Promise<string> => (await succeed(home, root, 'digest', '-invob', '/vobs/dev')).out.join('\n').trim();
      for (let round = 0; round < 3; round++) {
        // Comments long enough that each round's entries pass the snapshot threshold (256 KB).
        for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(src, i % 2 ? 'sub' : '', `f${i}.txt`), `round ${round} file ${i}\n`.repeat(i + 1));
        await succeed(a, root, 'fsimport', '-invob', '/vobs/dev', '-c', 'x'.repeat(5000), src);
        await succeed(a, root, 'mkbrtype', '-invob', '/vobs/dev', `dev${round}`);
        await succeed(a, root, 'syncreplica', '-export', '-out', 'out', 'sanfran_hub@/vobs/dev');
        await succeed(b, root, 'syncreplica', '-import', 'out');
        for (const f of fs.readdirSync(path.join(root, 'out'))) fs.rmSync(path.join(root, 'out', f));
        assert.strictEqual(await digest(b), await digest(a), `round ${round}`);
      }
      const dir = replicaDir(b);
      // Two lines: the snapshot without elements (what an export reads), then the elements.
      const [headLine, elementsLine, rest] = fs.readFileSync(path.join(dir, 'skeleton.json'), 'utf8').split('\n');
      assert.strictEqual(rest, '');
      const skel = JSON.parse(headLine) as { oplogBytes: number; state: { replicas: object; elements: object } };
      const elements = JSON.parse(elementsLine) as Record<string, { branches: Record<string, { versions: unknown[] }> }>;
      assert.ok(skel.oplogBytes > 0 && skel.oplogBytes <= fs.statSync(path.join(dir, 'oplog')).size);
      assert.deepStrictEqual(skel.state.elements, {});
      assert.strictEqual(Object.keys(skel.state.replicas).length, 2);
      assert.ok(Object.keys(elements).length >= 60);
      for (const el of Object.values(elements)) for (const br of Object.values(el.branches)) assert.deepStrictEqual(br.versions, [], 'the skeleton keeps no versions');
      const replicas = await Replica.open(dir, { command: 'test', view: 'replicas' });
      try {
        assert.deepStrictEqual(Object.keys(replicas.state.elements), [], 'an export opens without elements');
        assert.strictEqual(Object.keys(replicas.state.replicas).length, 2);
        assert.throws(() => replicas.writeSnapshot(), /replica objects only/);
        assert.throws(() => replicas.record([{ kind: 'brtype.create', name: 'x' } as never]), /replica objects only/);
      } finally {
        replicas.close();
      }
      // Imports never write state.json: a reader that replays the tail writes it, if the lock is free.
      for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(src, i % 2 ? 'sub' : '', `f${i}.txt`), `last round file ${i}\n`);
      await succeed(a, root, 'fsimport', '-invob', '/vobs/dev', '-c', 'y'.repeat(5000), src);
      await succeed(a, root, 'syncreplica', '-export', '-out', 'out', 'sanfran_hub@/vobs/dev');
      await succeed(b, root, 'syncreplica', '-import', 'out');
      const stateFile = path.join(dir, 'state.json');
      const stale = (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { oplogBytes: number }).oplogBytes;
      assert.ok(fs.statSync(path.join(dir, 'oplog')).size - stale >= 256 * 1024, 'state.json is behind after the imports');
      fs.writeFileSync(path.join(dir, 'replica.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), command: 'test', since: '', token: 'held' }));
      await digest(b);
      assert.strictEqual((JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { oplogBytes: number }).oplogBytes, stale, 'a reader does not wait for a held lock');
      fs.rmSync(path.join(dir, 'replica.lock'));
      const want = await digest(b);
      assert.strictEqual((JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { oplogBytes: number }).oplogBytes, fs.statSync(path.join(dir, 'oplog')).size, 'the reader wrote state.json');
      assert.ok(!fs.existsSync(path.join(dir, 'replica.lock')), 'and released the lock');
      assert.strictEqual(await digest(b), want);
      const r = await Replica.open(dir, { command: 'test', view: 'skeleton' });
      try {
        assert.ok(r.state.brtypes['dev2'], 'branch types are in the skeleton');
        assert.ok(Object.keys(r.state.elements).some((p) => p.startsWith('sub/')));
        for (const el of Object.values(r.state.elements)) for (const br of Object.values(el.branches)) assert.ok(br.versions.length <= 1, 'no version is kept');
      } finally {
        r.close();
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('reading an oplog while a long append commits', () => {
  it('ends a reader\'s scan at the first line still under its placeholder, where a writer reports damage', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oplog-reader-'));
    try {
      const file = path.join(dir, 'oplog');
      const first = new Oplog(file).append(versions(1, 3));
      const a = new OplogAppender(file, first, 1500);
      for (const op of versions(4, 40)) a.add(opJson(op));
      const lines = (a as unknown as { lines: Array<{ start: number }> }).lines;
      a.commit();
      // As a reader may find it mid-commit: the second appended line valid, the first not yet.
      const text = fs.readFileSync(file);
      text.write('XXXXXXXX', lines[0].start, 'latin1');
      fs.writeFileSync(file, text);
      const ids: number[] = [];
      const scan = await new Oplog(file, true).scan(0, (t) => ids.push(...t.ops.map((op) => op.id)));
      assert.deepStrictEqual(ids, [1, 2, 3]);
      assert.strictEqual(scan.end, first);
      await assert.rejects(new Oplog(file).scan(0, () => undefined), /damaged at byte/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('restorereplica and snapshots newer than the backup', () => {
  it('replaces snapshots left by a restore that copied files over the directory', async () => {
    const { succeed, replicatedHosts, tempRoot } = await import('../../cli/cliSupport');
    const root = tempRoot('msrestore-');
    try {
      const [a, b] = await replicatedHosts(root);
      const src = path.join(root, 'src');
      fs.mkdirSync(src);
      fs.mkdirSync(path.join(root, 'out'));
      const dir = path.join(b, 'vobs', fs.readdirSync(path.join(b, 'vobs')).find((n) => n.endsWith('.vbs')) ?? '');
      const round = async (n: number): Promise<void> => {
        for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(src, `f${i}.txt`), `round ${n} file ${i}\n`);
        // A small first round: the restored oplog is then too short for an open to snapshot it anyway.
        await succeed(a, root, 'fsimport', '-invob', '/vobs/dev', '-c', 'z'.repeat(n === 0 ? 10 : 10000), src);
        await succeed(a, root, 'syncreplica', '-export', '-out', 'out', 'sanfran_hub@/vobs/dev');
        await succeed(b, root, 'syncreplica', '-import', 'out');
        for (const f of fs.readdirSync(path.join(root, 'out'))) fs.rmSync(path.join(root, 'out', f));
      };
      await round(0);
      // A backup from before snapshots were kept: the oplog and the rest, no snapshot.
      const backup = path.join(root, 'backup');
      fs.cpSync(dir, backup, { recursive: true });
      for (const f of ['state.json', 'skeleton.json']) fs.rmSync(path.join(backup, f), { force: true });
      await round(1);
      await round(2);
      const skeleton = (): number => (JSON.parse(fs.readFileSync(path.join(dir, 'skeleton.json'), 'utf8').split('\n')[0]) as { oplogBytes: number }).oplogBytes;
      assert.ok(skeleton() > fs.statSync(path.join(backup, 'oplog')).size, 'the snapshot is newer than the backup');
      // Restored by copying the backup over the directory: the newer snapshots stay.
      fs.cpSync(backup, dir, { recursive: true, force: true });
      await succeed(b, root, 'restorereplica', '-invob', '/vobs/dev');
      const size = fs.statSync(path.join(dir, 'oplog')).size;
      assert.strictEqual(skeleton(), size, 'skeleton.json describes the restored oplog');
      assert.strictEqual((JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { oplogBytes: number }).oplogBytes, size, 'state.json too');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
