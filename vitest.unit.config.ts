import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

/**
 * Files that failed last time first, then the smallest: a mutant a quick test kills is found without
 * running the slow property and race tests first (vitest's default runs the longest first).
 */
class QuickestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    const { cache, config } = this.ctx
    const key = (file: TestSpecification) => `${file.project.name}:${relative(config.root, file.moduleId)}`
    const failed = (file: TestSpecification) => (cache.getFileTestResults(key(file))?.failed ? 0 : 1)
    const size = (file: TestSpecification) => cache.getFileStats(key(file))?.size ?? 0
    return [...files].sort((a, b) => failed(a) - failed(b) || size(a) - size(b))
  }
}

// The unit suites only, without the type tests. Some run on both stores, so the PostgreSQL cluster
// starts as in the whole suite. Mutation testing runs these, on instrumented code and often on a busy
// machine, hence the longer timeout for the race tests.
export default defineConfig({
  ...base,
  test: {
    globalSetup: base.test?.globalSetup,
    include: ['test/{machine,model,service,property}/**/*.test.ts', 'test/errors.test.ts'],
    testTimeout: 30_000,
    sequence: { sequencer: QuickestFirst },
  },
})
