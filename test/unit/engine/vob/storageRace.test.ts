import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createReplicaStorage } from '../../../../src/engine/vob/content';
import { ObjectExistsError } from '../../../../src/engine/vob/errors';

describe('replica storage made while another command makes the same directory', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'msrace-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is a user error naming the directory, and leaves the other command\'s storage and no half-made copy', () => {
    // Two `mkvob -tag /vobs/x` at once: both find the directory free, both build, one renames
    // first. The other's rename met a non-empty directory: an internal error with a stack (exit 2).
    const dir = path.join(root, 'vobs', 'x.vbs');
    assert.throws(
      () =>
        createReplicaStorage(dir, (tmp) => {
          fs.mkdirSync(tmp);
          fs.writeFileSync(path.join(tmp, 'replica.json'), 'ours');
          fs.mkdirSync(dir);
          fs.writeFileSync(path.join(dir, 'replica.json'), 'theirs');
        }),
      (e: unknown) => e instanceof ObjectExistsError && e.message === `Storage directory ${dir} already exists (made by another command while this one ran); choose another with -vob.`,
    );
    assert.strictEqual(fs.readFileSync(path.join(dir, 'replica.json'), 'utf8'), 'theirs');
    assert.deepStrictEqual(fs.readdirSync(path.dirname(dir)), ['x.vbs']);
  });
});
