// extensionTestsPath module of the extension-host level: the extension host require()s it and
// awaits run(). Loads every compiled test/exthost/suite/*.test.ts (out/test/exthost/suite/*.test.js).
import * as fs from 'fs';
import * as path from 'path';
import Mocha = require('mocha');

/** Marker line the harness (test/harness/run-exthost.mjs) reads the counts from. */
const SUMMARY_MARKER = 'MULTISITE_MOCHA_SUMMARY ';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export function runSuiteDir(dir: string): Promise<void> {
  const CountingReporter: typeof Mocha.reporters.Base = require(path.join(REPO_ROOT, 'test', 'harness', 'counting-reporter.cjs'));
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 30000,
    reporter: CountingReporter,
    reporterOptions: { onSummary: (counts: unknown) => console.log(SUMMARY_MARKER + JSON.stringify(counts)) },
  });
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
  for (const f of files) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js in ${dir}`));
      return;
    }
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host tests failed`)) : resolve()));
  });
}

export function run(): Promise<void> {
  return runSuiteDir(path.join(__dirname, 'suite'));
}
