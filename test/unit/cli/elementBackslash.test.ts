import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { errorLine, multitool, tempRoot } from './cliSupport';

describe('multitool and a backslash in an element pathname', () => {
  let root: string;
  let home: string;
  const T = '/vobs/dev';
  const mt = (...a: string[]): ReturnType<typeof multitool> => multitool(home, root, ...a);
  beforeEach(async () => {
    root = tempRoot('mscli-bslash-');
    home = path.join(root, 'home');
    await mt('mkhost', '-name', 'boston');
    await mt('mkvob', '-tag', T, '-replica', 'boston_hub');
    fs.writeFileSync(path.join(root, 'v1.c'), 'int one;\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses it in one error line naming the path, with status 1, for mkelem and lsvtree', async () => {
    const r = await mt('mkelem', '-invob', T, '-from', 'v1.c', 'src\\a.c');
    assert.strictEqual(r.status, 1);
    assert.deepStrictEqual(r.err, ['multitool: Error: Refusing path "src\\a.c": a backslash is not a separator in an element pathname (use "/") and cannot be part of an element name.']);
    assert.strictEqual((await mt('mkelem', '-invob', T, '-from', 'v1.c', 'src/a.c')).status, 0);
    assert.match(errorLine(await mt('lsvtree', '-invob', T, 'src\\a.c')), /^Refusing path "src\\a\.c": a backslash is not a separator/);
  });
});
