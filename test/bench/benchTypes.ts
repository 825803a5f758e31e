/** One table of results returned by a bench module's `run()` (see docs/bench.md). */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

/** The contract of every `test/bench/*.bench.ts` module. */
export type BenchRun = () => Promise<BenchTable[]>;
