import { defineConfig } from 'vitest/config'

// The browser tests: real Chromium (Debian's package, no download) against examples/server.ts.
export default defineConfig({
  resolve: { conditions: ['@hitl/source'] },
  ssr: { resolve: { conditions: ['@hitl/source'] } },
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    // Starting a browser on a busy machine takes seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
