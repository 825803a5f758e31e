import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { MultiSiteError } from '../../../../src/engine/errors';
import { BlobStore } from '../../../../src/engine/store/blobStore';

/**
 * A loose file whose size is not the recorded one is damage in the store, a user-facing error:
 * before loose content was read positionally an export reported it as a PacketWriteError (one
 * `multitool: Error:` line); a plain Error prints as a bug with its stack.
 */
describe('loose content of the wrong size', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'review-loose-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is refused with a MultiSiteError, and leaves no file open', async () => {
    const store = new BlobStore(root);
    const batch = store.batch();
    const loose = await batch.put(Readable.from([Buffer.from('loose')]));
    await batch.commit();
    store.close();
    fs.appendFileSync(store.loosePath(loose.hash), 'x');
    const fresh = new BlobStore(root);
    const buf = Buffer.alloc(8);
    assert.throws(
      () => fresh.readLoose({ hash: loose.hash, file: store.loosePath(loose.hash), size: 5 }, buf, 0, 5, 0),
      (e: unknown) => e instanceof MultiSiteError && /6 bytes/.test(e.message),
    );
    fresh.close();
  });
});

describe('content names that are not hashes', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'review-hostile-hash-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('are absent content, never a path out of the store, even where a loose directory matches their start', async () => {
    const store = new BlobStore(path.join(root, 'blobs'));
    const batch = store.batch();
    const kept = await batch.put(Readable.from([Buffer.from('loose content')]));
    await batch.commit();
    // A file outside the store that a name starting with the loose directory could reach.
    fs.writeFileSync(path.join(root, 'outside'), 'secret');
    const hostile = `${kept.hash.slice(0, 2)}/${'./'.repeat(24)}../../outside`;
    assert.strictEqual(hostile.length, 64);
    for (const name of [hostile, kept.hash.toUpperCase(), kept.hash.slice(1), `${kept.hash}0`]) {
      assert.strictEqual(store.has(name), false, name);
      assert.strictEqual(store.loose(name, 6), undefined, name);
      assert.strictEqual(store.packed(name), undefined, name);
      assert.throws(() => store.loosePath(name), (e: unknown) => e instanceof MultiSiteError && /is damaged: that name is not a sha256 content hash/.test(e.message), name);
    }
    assert.strictEqual(store.has(kept.hash), true);
    store.close();
  });
});
