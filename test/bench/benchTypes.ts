/** One table of results returned by a bench module's `run()` (see docs/bench.md). */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

/** The contract of every `test/bench/*.bench.ts` module. */
export type BenchRun = () => Promise<BenchTable[]>;

/**
 * The environment our command-line processes are timed in: the bench's own, less
 * NODE_EXTRA_CA_CERTS. That variable makes every Node.js process load and parse the named
 * certificate bundle before it runs a line (about 45 ms on these machines, where it is set for
 * the npm proxy), and our commands make no TLS connection. It is not a setting a Node.js tool
 * gets by default, and git pays nothing like it, so timing with it would measure this
 * machine's proxy set-up. The sync bench prints a `node -e 0` row with it for comparison.
 */
export function commandEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}
