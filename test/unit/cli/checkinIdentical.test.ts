import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { multitool, tempRoot } from './cliSupport';

describe('multitool checkin -identical', () => {
  let root: string;
  let home: string;
  const T = '/vobs/dev';
  const mt = (...a: string[]): ReturnType<typeof multitool> => multitool(home, root, ...a);
  beforeEach(async () => {
    root = tempRoot('mscli-ident-');
    home = path.join(root, 'home');
    await mt('mkhost', '-name', 'boston');
    await mt('mkvob', '-tag', T, '-replica', 'boston_hub');
    fs.writeFileSync(path.join(root, 'v1.c'), 'int one;\n');
    await mt('mkelem', '-invob', T, '-from', 'v1.c', 'src/a.c');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses unchanged data with one error line and status 1, in the original\'s words', async () => {
    const r = await mt('checkin', '-invob', T, '-from', 'v1.c', 'src/a.c');
    assert.strictEqual(r.status, 1);
    assert.deepStrictEqual(r.err, [`multitool: Error: By default, won't create version with data identical to predecessor: "src/a.c" is unchanged from version "/main/1"; use -identical to check it in anyway.`]);
    assert.deepStrictEqual((await mt('lsvtree', '-invob', T, 'src/a.c')).out, ['src/a.c@@', 'src/a.c@@/main', 'src/a.c@@/main/0', 'src/a.c@@/main/1']);
  });

  it('creates the version with -identical (or a unique prefix of it)', async () => {
    assert.deepStrictEqual((await mt('checkin', '-invob', T, '-from', 'v1.c', '-identical', 'src/a.c')).out, ['Checked in "src/a.c" version "/main/2".']);
    assert.deepStrictEqual((await mt('checkin', '-invob', T, '-from', 'v1.c', '-ident', 'src/a.c')).out, ['Checked in "src/a.c" version "/main/3".']);
  });
});
