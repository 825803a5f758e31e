import * as path from 'path';
import { runProgram } from './run';
import { defaultHome } from '../engine/host/home';

/**
 * Entry point of dist/cli.js. Installed under several names (`multitool`, `shipping_server`,
 * `mkorder`, ...): the name it was started as picks the program. Started as `cli.js` the
 * first word names it instead (`node dist/cli.js multitool lsvob`).
 */
async function main(): Promise<void> {
  let argv = process.argv.slice(2);
  let program = path.basename(process.argv[1] ?? 'cli.js').replace(/\.js$/, '');
  if (program === 'cli' || program === 'main') {
    program = argv[0] ?? '';
    argv = argv.slice(1);
  }
  const status = await runProgram(program, argv, {
    home: defaultHome(process.env),
    cwd: process.cwd(),
    env: process.env,
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
  });
  process.exitCode = status;
}

// A reader that stops early (`multitool cat ... | head`) closes the pipe: stop quietly, as
// Unix tools do, instead of crashing on the next write.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

void main();
