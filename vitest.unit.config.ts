import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

// The unit suites only: no PostgreSQL cluster, no type tests. Mutation testing runs these, on
// instrumented code and often on a busy machine, hence the longer timeout for the race tests.
export default defineConfig({
  ...base,
  test: { include: ['test/{machine,model,service,property}/**/*.test.ts', 'test/errors.test.ts'], testTimeout: 30_000 },
})
