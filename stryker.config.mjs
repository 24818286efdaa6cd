// Mutation testing of the pure core and the service against the unit suites (`npm run test:mutation`).
// Not part of `npm test`: a full run takes about twenty minutes on two cores; incremental reruns are fast.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Not `related`: the tests import the package by its name, so vitest cannot tell which of them load a file.
  vitest: { configFile: 'vitest.unit.config.ts', related: false },
  mutate: ['src/machine/**/*.ts', 'src/model/**/*.ts', 'src/service/**/*.ts', 'src/errors.ts'],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  concurrency: 2,
  // Generous, so a busy machine does not pass off slow runs as timeouts (which count as killed).
  timeoutMS: 10_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
}
