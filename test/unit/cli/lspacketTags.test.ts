import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProgram } from '../../../src/cli/run';

/** lspacket at the receiving host names the local VOB tag of each target replica it holds. */
describe('lspacket target tags at the receiving host', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mslstag-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function mt(home: string, ...argv: string[]): Promise<string[]> {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runProgram('multitool', argv, { home, cwd: root, env: {}, out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l) });
    assert.strictEqual(status, 0, `multitool ${argv.join(' ')}: ${err.join('\n')}`);
    return out;
  }

  it('prints "[ local to this network ] tag: <tag>" for a target replica registered on this host', async () => {
    const boston = path.join(root, 'boston');
    const tokyo = path.join(root, 'tokyo');
    await mt(boston, 'mkhost', '-name', 'boston', '-port', '7101');
    await mt(tokyo, 'mkhost', '-name', 'tokyo', '-port', '7102');
    await mt(boston, 'addpeer', 'tokyo', '-address', '127.0.0.1', '-port', '7102', '-home', tokyo);
    await mt(tokyo, 'addpeer', 'boston', '-address', '127.0.0.1', '-port', '7101', '-home', boston);
    await mt(boston, 'mkvob', '-tag', '/vobs/dev', '-replica', 'boston_hub');
    await mt(boston, 'mkreplica', '-export', '-workdir', path.join(root, 'w1'), '-out', path.join(root, 'creation'), 'tokyo:tokyo_hub@/vobs/dev');
    // The receiving host mounts the family under a tag of its own choosing.
    await mt(tokyo, 'mkreplica', '-import', '-workdir', path.join(root, 'w2'), '-tag', '/vobs/dev_tokyo', path.join(root, 'creation'));
    fs.writeFileSync(path.join(root, 'a.c'), 'int main;\n');
    await mt(boston, 'mkelem', '-invob', '/vobs/dev', '-from', path.join(root, 'a.c'), 'a.c');
    await mt(boston, 'syncreplica', '-export', '-out', path.join(root, 'update'), 'tokyo_hub@/vobs/dev');

    const atTokyo = await mt(tokyo, 'lspacket', path.join(root, 'update'));
    assert.ok(atTokyo.includes('  tokyo_hub [ local to this network ] tag: /vobs/dev_tokyo'), atTokyo.join('\n'));
    const atBoston = await mt(boston, 'lspacket', path.join(root, 'update'));
    assert.ok(atBoston.includes('  tokyo_hub [ not local to this network ]'), atBoston.join('\n'));
  });
});
