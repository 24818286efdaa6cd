import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  // Tests import the package by its public name; this condition resolves it to source.
  resolve: { conditions: ['@hitl/source'] },
  ssr: { resolve: { conditions: ['@hitl/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests drive Chromium and run on their own: `npm run test:e2e`.
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    // Starts a throwaway PostgreSQL cluster (or uses DATABASE_URL) for test/integration.
    globalSetup: ['test/support/postgres-global-setup.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
  },
})
