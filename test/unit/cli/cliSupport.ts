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
