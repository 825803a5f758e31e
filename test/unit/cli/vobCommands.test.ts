import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { errorLine, multitool, tempRoot } from './cliSupport';

describe('multitool VOB content commands', () => {
  let root: string;
  let home: string;
  const T = '/vobs/dev';
  const mt = (...a: string[]): ReturnType<typeof multitool> => multitool(home, root, ...a);
  beforeEach(async () => {
    root = tempRoot('mscli-vob-');
    home = path.join(root, 'home');
    await mt('mkhost', '-name', 'boston');
    fs.writeFileSync(path.join(root, 'v1.c'), 'int one;\n');
    fs.writeFileSync(path.join(root, 'v2.c'), 'int two;\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('mkvob prints the tag, family and storage; lsvob lists it', async () => {
    const r = await mt('mkvob', '-tag', T, '-replica', 'boston_hub');
    assert.strictEqual(r.status, 0);
    assert.strictEqual(r.out[0], 'Created VOB "/vobs/dev" with replica "boston_hub".');
    assert.match(r.out[1], /^ {2}VOB family identifier is: [0-9a-f-]{36}$/);
    const ls = await mt('lsvob');
    assert.match(ls.out[0], /^\/vobs\/dev\s+\S+\.vbs \(replica "boston_hub"\)$/);
    const long = await mt('lsvob', '-long');
    assert.deepStrictEqual(long.out.map((l) => l.split(':')[0]), ['Tag', '  Global path', '  Replica name', '  Replica uuid', '  Vob family uuid']);
    assert.match(errorLine(await mt('mkvob', '-tag', T, '-replica', 'x')), /VOB tag "\/vobs\/dev" is already registered/);
    assert.match(errorLine(await mt('mkvob', '-tag', '/vobs/b', '-replica', '../x')), /Invalid replica name "..\/x"/);
  });

  it('runs the content commands with their messages', async () => {
    await mt('mkvob', '-tag', T, '-replica', 'boston_hub');
    assert.deepStrictEqual((await mt('mkelem', '-invob', T, '-from', 'v1.c', 'src/a.c')).out, ['Created element "src/a.c".', 'Checked in "src/a.c" version "/main/1".']);
    assert.deepStrictEqual((await mt('mkelem', '-invob', T, 'src/empty.c')).out, ['Created element "src/empty.c".']);
    assert.deepStrictEqual((await mt('checkin', '-invob', T, '-from', 'v2.c', '-c', 'second', 'src/a.c')).out, ['Checked in "src/a.c" version "/main/2".']);
    assert.deepStrictEqual((await mt('mkbrtype', '-invob', T, 'dev')).out, ['Created branch type "dev".']);
    assert.deepStrictEqual((await mt('checkin', '-invob', T, '-from', 'v1.c', '-branch', 'dev', 'src/a.c')).out, ['Checked in "src/a.c" version "/main/dev/1".']);
    assert.deepStrictEqual((await mt('mklbtype', '-invob', T, 'REL1')).out, ['Created label type "REL1".']);
    assert.deepStrictEqual((await mt('mklabel', '-invob', T, 'REL1', 'src/a.c@@/main/1')).out, ['Created label "REL1" on "src/a.c" version "/main/1".']);
    assert.deepStrictEqual((await mt('mklabel', '-invob', T, '-replace', 'REL1', 'src/a.c@@/main/2')).out, ['Moved label "REL1" on "src/a.c" from version "/main/1" to "/main/2".']);
    assert.deepStrictEqual((await mt('lsvtree', '-invob', T, 'src/a.c')).out, ['src/a.c@@', 'src/a.c@@/main', 'src/a.c@@/main/0', 'src/a.c@@/main/1', 'src/a.c@@/main/2 (REL1)', 'src/a.c@@/main/dev', 'src/a.c@@/main/dev/0', 'src/a.c@@/main/dev/1']);
    assert.deepStrictEqual((await mt('cat', '-invob', T, 'src/a.c@@/main/2')).out, ['int two;']);
    assert.strictEqual((await mt('cat', '-invob', T, '-to', 'copy.c', 'src/a.c@@/main/1')).status, 0);
    assert.strictEqual(fs.readFileSync(path.join(root, 'copy.c'), 'utf8'), 'int one;\n');
    const d = await mt('digest', '-invob', T);
    assert.strictEqual(d.out.length, 1);
    assert.match(d.out[0], /^[0-9a-f]{64}$/);
  });

  it('says what is wrong: unknown tag, element, version, type, and a missing -invob', async () => {
    await mt('mkvob', '-tag', T, '-replica', 'boston_hub');
    assert.strictEqual(errorLine(await mt('digest', '-invob', '/vobs/none')), 'VOB tag "/vobs/none" is not registered on host "boston"; see "multitool lsvob".');
    assert.strictEqual(errorLine(await mt('checkin', '-invob', T, '-from', 'v1.c', 'nope.c')), 'Element "nope.c" not found in VOB "/vobs/dev".');
    assert.strictEqual(errorLine(await mt('mkelem', '-invob', T, '-from', 'missing.c', 'x.c')), `Cannot read "${path.join(root, 'missing.c')}": no such file.`);
    assert.match(errorLine(await mt('cat', '-invob', T, 'src/a.c')), /does not name a version: use PATH@@\/BRANCH\/N/);
    assert.strictEqual(errorLine(await mt('mklabel', '-invob', T, 'NOPE', 'a@@/main/0')), 'Label type "NOPE" not found in VOB "/vobs/dev"; create it with mklbtype.');
    assert.strictEqual(errorLine(await mt('mkbrtype', '-invob', T, 'bad name')), 'Invalid branch type name "bad name": use letters, digits, "_", ".", "+" and "-", starting with a letter, digit or "_".');
    assert.match(errorLine(await mt('chmaster', '-invob', T, 'nobody', 'brtype:main')), /Replica "nobody" not found in the family/);
    assert.match(errorLine(await mt('chmaster', '-invob', T, 'boston_hub', 'main')), /does not name an object with a master/);
    assert.strictEqual(errorLine(await mt('lsvtree', 'a')), 'Option "-invob" is required.');
    assert.strictEqual(errorLine(await mt('mkelem', '-invob', T)), 'Missing element pathname.');
    assert.strictEqual(errorLine(await mt('mkelem', '-invob', T, 'a', 'b')), 'Too many arguments: "b".');
  });

  it('refuses hostile element paths and escaping symlinks in fsimport', async () => {
    await mt('mkvob', '-tag', T, '-replica', 'boston_hub');
    assert.match(errorLine(await mt('mkelem', '-invob', T, '../../etc/passwd')), /^Refusing path "..\/..\/etc\/passwd": an element pathname must be relative to the VOB root, and it contains ".."\.$/);
    assert.match(errorLine(await mt('mkelem', '-invob', T, '/etc/passwd')), /it is absolute/);
    fs.mkdirSync(path.join(root, 'tree'));
    fs.writeFileSync(path.join(root, 'tree', 'a.txt'), 'a');
    const ok = await mt('fsimport', '-invob', T, 'tree');
    assert.deepStrictEqual(ok.out, [`Imported ${path.join(root, 'tree')} into VOB "/vobs/dev": 1 new element, 0 new versions, 0 unchanged.`]);
    fs.symlinkSync('/etc', path.join(root, 'tree', 'etc'));
    assert.match(errorLine(await mt('fsimport', '-invob', T, 'tree')), /^Refusing path ".*tree\/etc": it is a symbolic link to \/etc, outside /);
    assert.match(errorLine(await mt('fsimport', '-invob', T, 'nothere')), /Cannot import "\S+nothere": no such directory\./);
  });
});
