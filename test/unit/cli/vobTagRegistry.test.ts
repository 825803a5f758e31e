import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { errorLine, multitool, tempRoot, type Ran } from './cliSupport';

describe('multitool at a host home copied with cp -a', () => {
  let root: string;
  let home: string;
  const T = '/vobs/dev';
  const at = (h: string, ...args: string[]): Promise<Ran> => multitool(h, root, ...args);
  const ok = async (h: string, ...args: string[]): Promise<Ran> => {
    const r = await at(h, ...args);
    assert.strictEqual(r.status, 0, `${args.join(' ')}: ${r.err.join('\n')}`);
    return r;
  };
  beforeEach(async () => {
    root = tempRoot('mscli-reg-');
    home = path.join(root, 'boston');
    await ok(home, 'mkhost', '-name', 'boston');
    await ok(home, 'mkvob', '-tag', T, '-replica', 'boston_hub');
    fs.writeFileSync(path.join(root, 'v1'), 'one\n');
    fs.writeFileSync(path.join(root, 'v2'), 'two\n');
    await ok(home, 'mkelem', '-invob', T, '-from', 'v1', 'a.c');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists and changes the copy\'s own replica storage, leaving the original as it was', async () => {
    const copy = path.join(root, 'copy');
    execFileSync('cp', ['-a', home, copy]);
    assert.ok((await ok(copy, 'lsvob')).out[0].includes(path.join(copy, 'vobs') + path.sep));
    assert.deepStrictEqual((await ok(copy, 'checkin', '-invob', T, '-from', 'v2', 'a.c')).out, ['Checked in "a.c" version "/main/2".']);
    assert.deepStrictEqual((await ok(home, 'lsvtree', '-invob', T, 'a.c')).out, ['a.c@@', 'a.c@@/main', 'a.c@@/main/0', 'a.c@@/main/1']);
    assert.deepStrictEqual((await ok(copy, 'cat', '-invob', T, 'a.c@@/main/2')).out, ['two']);
  });

  it('refuses a registry entry edited to lead outside the home, in one line naming the tag', async () => {
    const reg = path.join(home, 'vobs', 'vob_tags.json');
    const f = JSON.parse(fs.readFileSync(reg, 'utf8')) as { tags: Record<string, { dir: string }> };
    f.tags[T].dir = '../../etc';
    fs.writeFileSync(reg, JSON.stringify(f));
    assert.match(errorLine(await at(home, 'lsvob')), /^VOB tag "\/vobs\/dev" in .*vob_tags\.json names storage "\.\.\/\.\.\/etc": it leads outside the host home; correct or remove the entry\.$/);
  });
});
