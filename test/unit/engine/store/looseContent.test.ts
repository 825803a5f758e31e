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
