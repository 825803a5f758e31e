import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addPeer, mkhost, mkvob, mkreplicaExport, mkreplicaImport, type EngineContext } from '../../../../src/engine/sync';


export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestHost {
  name: string;
  home: string;
  ctx: EngineContext;
}

export interface TestReplica {
  name: string;
  tag: string;
  host: TestHost;
  /** NAME@TAG as seen from another replica's host: the tag is that host's local tag. */
}

/** Hosts in one temp root, every pair peered with -home (so chepoch -actual can read siblings). */
export function makeHosts(root: string, names: string[]): TestHost[] {
  const hosts = names.map((name) => {
    const home = path.join(root, name);
    mkhost(home, { name });
    return { name, home, ctx: { home, lockTimeoutMs: 20_000 } };
  });
  for (const a of hosts) for (const b of hosts) if (a !== b) addPeer(a.home, { name: b.name, address: '127.0.0.1', port: 1130, peerHome: b.home });
  return hosts;
}

/**
 * A family: the first replica made with mkvob on hosts[placement[0]], the others created with
 * mkreplica -export/-import from the first. Each replica gets its own tag (several may share a host).
 */
export async function makeFamily(root: string, hosts: TestHost[], placement: number[]): Promise<TestReplica[]> {
  const first: TestReplica = { name: 'r0', tag: '/vobs/r0', host: hosts[placement[0]] };
  await mkvob(first.host.ctx, { tag: first.tag, replica: first.name });
  const out = [first];
  const pk = path.join(root, 'creation');
  fs.mkdirSync(pk, { recursive: true });
  for (let i = 1; i < placement.length; i++) {
    const host = hosts[placement[i]];
    const rep: TestReplica = { name: `r${i}`, tag: `/vobs/r${i}`, host };
    const dir = path.join(pk, rep.name);
    fs.mkdirSync(dir);
    const ex = await mkreplicaExport(first.host.ctx, { target: `${host.name}:${rep.name}@${first.tag}`, workdir: path.join(root, 'work'), out: dir });
    await mkreplicaImport(host.ctx, { packets: ex.packets.map((p) => p.path), workdir: path.join(root, 'work'), tag: rep.tag });
    out.push(rep);
  }
  return out;
}

export { prng } from '../../../support/prng';

export function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}
