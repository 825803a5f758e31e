// Mocha reporter for every test level: prints like `spec` and, when a summary file is named
// (reporter option `summary=FILE` or env MULTISITE_MOCHA_SUMMARY), writes the honest counts
// there as JSON for scripts/test.mjs: {passed, failed, pending, failures: [{title, message}]}.
// Inside the extension host it is also given a `log` function so the counts reach the harness.
'use strict';
const fs = require('fs');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options = {}) {
    super(runner, options);
    const opts = options.reporterOption || options.reporterOptions || {};
    const file = opts.summary || process.env.MULTISITE_MOCHA_SUMMARY;
    const counts = { passed: 0, failed: 0, pending: 0, failures: [] };
    runner.on(EVENT_TEST_PASS, () => { counts.passed++; });
    runner.on(EVENT_TEST_PENDING, () => { counts.pending++; });
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      counts.failed++;
      counts.failures.push({ title: test.fullTitle(), message: String((err && err.message) || err).split('\n')[0] });
    });
    runner.once(EVENT_RUN_END, () => {
      const json = JSON.stringify(counts);
      if (file) fs.writeFileSync(file, json);
      if (typeof opts.onSummary === 'function') opts.onSummary(counts);
    });
  }
}

module.exports = CountingReporter;
