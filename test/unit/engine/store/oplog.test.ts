import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { crc32 } from 'zlib';
import { entryOf, entryOfOp, Oplog, opJson } from '../../../../src/engine/store/oplog';
import type { Op } from '../../../../src/engine/store/ops';
import { Replica, STORE_FORMAT } from '../../../../src/engine/store/replica';
import { digestState } from '../../../../src/engine/store/vobState';
import { succeed, replicatedHosts, tempRoot } from '../../cli/cliSupport';

/** The oplog keeps each entry's JSON apart, head first, so an export copies entries unparsed. */

const ORIGIN = '4f8c9faa-b60d-4338-a124-b24c0fb05741';
const HASH = 'ab'.repeat(32);

function sampleOps(): Op[] {
  const at = '2026-11-21T21:09:22.285Z';
  return [
    { kind: 'vob.create', familyOid: randomUUID(), replica: ORIGIN, name: 'boston_hub', host: 'boston', origin: ORIGIN, id: 1, at },
    { kind: 'element.create', path: 'd/\t"tab and quote".c', comment: 'tab\there, "blob":"x", {"origin"', origin: ORIGIN, id: 2, at },
    { kind: 'version.create', path: 'd/\t"tab and quote".c', branch: '/main', n: 1, blob: HASH, size: 1234, comment: 'ünïcode ✓', origin: ORIGIN, id: 3, at, deps: { [randomUUID()]: 7 } },
    { kind: 'master.change', object: 'branch', name: '/main', to: ORIGIN, origin: ORIGIN, id: 4, at },
  ] as Op[];
}

/** A transaction line as stores wrote it before: one JSON object, the checksum after a space. */
function legacyLine(ops: Op[]): string {
  const body = Buffer.from(JSON.stringify({ ops }));
  return `${crc32(body).toString(16).padStart(8, '0')} ${body.toString('utf8')}\n`;
}

describe('oplog entries as stored', () => {
  it('writes each entry head first and reads origin, id, kind and content back from the head', () => {
    for (const op of sampleOps()) {
      const json = opJson(op);
      assert.deepStrictEqual(JSON.parse(json), JSON.parse(JSON.stringify(op)), 'the same entry, whatever the order of its fields');
      assert.ok(json.startsWith(`{"origin":"${ORIGIN}","id":${op.id},"kind":"${op.kind}"`), json);
      assert.ok(!json.includes('\t'), 'a raw tab would split the entry');
      const e = entryOf(json);
      assert.strictEqual(e.json, json);
      assert.deepStrictEqual(e, entryOfOp(op, json));
      if (op.kind === 'version.create') assert.deepStrictEqual([e.blob, e.size], [HASH, 1234]);
    }
  });

  it('reads an entry whose fields are in another order by parsing it', () => {
    for (const op of sampleOps()) {
      const json = JSON.stringify(op);
      const e = entryOf(json);
      assert.deepStrictEqual({ ...e }, { ...entryOfOp(op, json) });
    }
    // Heads that are not exactly what opJson writes are parsed, never read in place.
    const op = sampleOps()[2];
    const good = opJson(op);
    const variants = [
      good.replace('"origin":"4f8c', '"origin":"\\u0034f8c'),
      good.replace(`"id":${op.id}`, `"id":0${op.id}`),
      good.replace(`"id":${op.id}`, `"id": ${op.id}`),
      good.replace(`"size":1234`, `"size":1234.5`),
      good.replace(`"size":1234`, `"size":1e3`),
      good.replace(HASH, HASH.toUpperCase()),
      good.replace(HASH, HASH.slice(2)),
      good.replace('"kind":"version.create"', '"kind":"version.create\\u0000"'),
    ];
    for (const text of variants) {
      let parsed: Op;
      try {
        parsed = JSON.parse(text) as Op;
      } catch {
        assert.throws(() => entryOf(text), SyntaxError, text);
        continue;
      }
      assert.deepStrictEqual({ ...entryOf(text) }, { ...entryOfOp(parsed, text) }, text);
    }
    // A version whose head lacks its content is parsed, not taken without it.
    const v = sampleOps()[2];
    const reordered = JSON.stringify(Object.assign({ origin: v.origin, id: v.id, kind: v.kind }, v));
    assert.deepStrictEqual([entryOf(reordered).blob, entryOf(reordered).size], [HASH, 1234]);
  });

  it('reads lines written before, one JSON object each, followed by tab-separated ones, both ways', async () => {
    const dir = tempRoot('msoplog-');
    try {
      const log = new Oplog(path.join(dir, 'oplog'));
      const [a, b, c, d] = sampleOps();
      fs.writeFileSync(log.file, legacyLine([a, b]));
      log.append([c, d]);
      const txns: Op[][] = [];
      await log.scan(0, (t) => txns.push(t.ops));
      assert.deepStrictEqual(txns, [[a, b], [c, d]].map((ops) => ops.map((op) => JSON.parse(JSON.stringify(op)) as Op)));
      const entries: string[] = [];
      await log.scanEntries(0, (e) => entries.push(`${e.origin} ${e.id} ${e.kind} ${e.blob ?? '-'} ${JSON.stringify(JSON.parse(e.json))}`));
      assert.deepStrictEqual(
        entries,
        [a, b, c, d].map((op) => `${op.origin} ${op.id} ${op.kind} ${op.kind === 'version.create' ? op.blob : '-'} ${JSON.stringify(JSON.parse(opJson(op)))}`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads each entry of a line at its place in the line exactly as it reads that entry alone', async () => {
    const dir = tempRoot('msoplog-');
    try {
      const log = new Oplog(path.join(dir, 'oplog'));
      const ops = sampleOps();
      const v = ops[2];
      // Heads as opJson writes them, heads it does not (parsed instead), and heads whose fields
      // would run on into the next entry if read past their own end.
      const texts = [
        ...ops.map(opJson),
        JSON.stringify(v),
        opJson(v).replace(`"size":1234`, `"size":1e3`),
        `{"origin":"${ORIGIN}","id":9,"kind":"element.create"}`,
        `{"origin":"${ORIGIN}","id":10,"kind":"version.create","blob":"${HASH}","size":0}`,
        `{"origin":"${ORIGIN}","id":11}`,
        `{"origin":"${randomUUID()}","id":12,"kind":"label.set","lbtype":"L","path":"a","branch":"/main","n":1,"at":"x"}`,
      ];
      const body = Buffer.from(texts.join('\t'));
      fs.writeFileSync(log.file, `${crc32(body).toString(16).padStart(8, '0')}\t${body.toString('utf8')}\n`);
      const seen: unknown[] = [];
      await log.scanEntries(0, (e) => seen.push({ ...e }));
      assert.deepStrictEqual(seen, texts.map((t) => ({ ...entryOf(t) })));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cuts a torn tab-separated transaction off and refuses one damaged in the middle', async () => {
    const dir = tempRoot('msoplog-');
    try {
      const rdir = path.join(dir, 'r');
      const oid = randomUUID();
      Replica.initialize(rdir, { format: STORE_FORMAT, familyOid: randomUUID(), oid, name: 'boston_hub', host: 'boston', tag: '/vobs/dev', incarnation: 0, createdAt: new Date().toISOString() });
      let r = await Replica.open(rdir, { command: 'test' });
      r.record([{ kind: 'vob.create', familyOid: r.identity.familyOid, replica: oid, name: 'boston_hub', host: 'boston' }]);
      r.record([{ kind: 'element.create', path: 'a' }, { kind: 'element.create', path: 'b' }]);
      r.record([{ kind: 'element.create', path: 'c' }]);
      const want = digestState(r.state);
      r.close();
      const file = path.join(rdir, 'oplog');
      const good = fs.readFileSync(file);
      const last = good.subarray(good.lastIndexOf(0x0a, good.length - 2) + 1);
      // Every prefix of a third transaction, as a kill -9 mid-append leaves it.
      for (let n = 1; n < last.length; n++) {
        fs.writeFileSync(file, Buffer.concat([good, last.subarray(0, n)]));
        r = await Replica.open(rdir, { command: 'test' });
        assert.strictEqual(digestState(r.state), want, `torn at ${n}`);
        r.close();
        assert.deepStrictEqual(fs.readFileSync(file), good);
      }
      const damaged = Buffer.from(good);
      damaged[good.indexOf(0x0a) + 15] ^= 0x01;
      fs.writeFileSync(file, damaged);
      await assert.rejects(Replica.open(rdir, { command: 'test' }), /damaged at byte/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports a replica whose oplog was written before as entries the sibling applies', async () => {
    const root = tempRoot('msoplog-cli-');
    try {
      const [a, b] = await replicatedHosts(root);
      fs.mkdirSync(path.join(root, 'src'));
      for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(root, 'src', `f${i}.txt`), `file ${i}\n`.repeat(i + 1));
      await succeed(a, root, 'fsimport', '-invob', '/vobs/dev', path.join(root, 'src'));
      // Rewrite every transaction of A's replica the way stores wrote them before.
      const replicaDir = path.join(a, 'vobs', fs.readdirSync(path.join(a, 'vobs')).find((n) => n.endsWith('.vbs')) ?? '');
      const log = new Oplog(path.join(replicaDir, 'oplog'));
      const txns: Op[][] = [];
      await log.scan(0, (t) => txns.push(t.ops));
      assert.ok(txns.flat().filter((op) => op.kind === 'version.create').length >= 20);
      fs.writeFileSync(log.file, txns.map(legacyLine).join(''));
      assert.match(fs.readFileSync(log.file, 'utf8'), /^[0-9a-f]{8} \{"ops":/);
      fs.rmSync(path.join(replicaDir, 'state.json'), { force: true });
      fs.mkdirSync(path.join(root, 'out'));
      await succeed(a, root, 'syncreplica', '-export', '-out', 'out', 'sanfran_hub@/vobs/dev');
      await succeed(b, root, 'syncreplica', '-import', 'out');
      const digest = async (home: string): Promise<string> => (await succeed(home, root, 'digest', '-invob', '/vobs/dev')).out.join('\n').trim();
      assert.strictEqual(await digest(b), await digest(a));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('oplog transactions of many entries', () => {
  it('writes a transaction of several megabytes in pieces and reads every entry back, both ways', async () => {
    const dir = tempRoot('msoplog-big-');
    try {
      const log = new Oplog(path.join(dir, 'oplog'));
      const [, element] = sampleOps();
      const ops: Op[] = [];
      for (let i = 0; i < 12000; i++) ops.push({ ...element, path: `dir/file${i}.c`, comment: `entry ${i} `.repeat(40), id: i + 1 } as Op);
      const end = log.append(ops);
      assert.ok(end > 3 * 1024 * 1024, 'the line spans several pieces');
      assert.strictEqual(end, fs.statSync(log.file).size);
      const back: Op[] = [];
      await log.scan(0, (t) => back.push(...t.ops));
      assert.deepStrictEqual(back, ops.map((op) => JSON.parse(JSON.stringify(op)) as Op));
      let n = 0;
      await log.scanEntries(0, (e) => assert.strictEqual(e.id, ++n));
      assert.strictEqual(n, 12000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a line whose checksum was never written for a torn tail', async () => {
    const dir = tempRoot('msoplog-crc-');
    try {
      const log = new Oplog(path.join(dir, 'oplog'));
      const [a, b] = sampleOps();
      log.append([a]);
      const good = fs.readFileSync(log.file);
      log.append([b]);
      // What a kill -9 between the entries and their checksum leaves: the placeholder.
      const file = fs.readFileSync(log.file);
      file.write('XXXXXXXX', good.length, 'latin1');
      fs.writeFileSync(log.file, file);
      const seen: number[] = [];
      const scan = await log.scan(0, (t) => seen.push(...t.ops.map((op) => op.id)));
      assert.deepStrictEqual(seen, [a.id]);
      assert.strictEqual(scan.end, good.length);
      assert.strictEqual(scan.tornBytes, file.length - good.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
