import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProgram } from '../../../src/cli/run';

export interface Ran {
  status: number;
  out: string[];
  err: string[];
}

/** Runs `multitool ARGS` in-process as the host `home`, from `cwd`. */
export async function multitool(home: string, cwd: string, ...argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runProgram('multitool', argv, { home, cwd, env: {}, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out, err };
}

export function tempRoot(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Asserts one `multitool: Error: ...` line and a status of 1. */
export function errorLine(r: Ran): string {
  if (r.status === 0) throw new Error(`expected failure, got success: ${r.out.join('\n')}`);
  const line = r.err.find((l) => l.startsWith('multitool: Error: '));
  if (!line) throw new Error(`no error line in: ${r.err.join('\n')}`);
  return line.slice('multitool: Error: '.length);
}

/** `multitool ARGS` that must succeed; a failure names the command and its error lines. */
export async function succeed(home: string, cwd: string, ...argv: string[]): Promise<Ran> {
  const r = await multitool(home, cwd, ...argv);
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.err.join('\n')}`);
  return r;
}

/**
 * Hosts `names` with homes `root/a`, `root/b`, ... (returned in that order), each a peer of every
 * other on 127.0.0.1, and VOB `tag` made at the first with replica `<first>_hub`, replicated by
 * mkreplica to the second as `<second>_hub`.
 */
export async function replicatedHosts(root: string, names: string[] = ['boston', 'sanfran'], tag = '/vobs/dev'): Promise<string[]> {
  const homes = names.map((_, i) => path.join(root, String.fromCharCode(0x61 + i)));
  for (const [i, name] of names.entries()) await succeed(homes[i], root, 'mkhost', '-name', name);
  for (const [i, home] of homes.entries()) {
    for (const [j, peer] of names.entries()) if (j !== i) await succeed(home, root, 'addpeer', peer, '-address', '127.0.0.1', '-port', String(1130 + j), '-home', homes[j]);
  }
  await succeed(homes[0], root, 'mkvob', '-tag', tag, '-replica', `${names[0]}_hub`);
  fs.mkdirSync(path.join(root, 'pk'), { recursive: true });
  await succeed(homes[0], root, 'mkreplica', '-export', '-workdir', 'work', '-out', 'pk/create', `${names[1]}:${names[1]}_hub@${tag}`);
  await succeed(homes[1], root, 'mkreplica', '-import', '-workdir', 'work', '-tag', tag, 'pk/create');
  return homes;
}
