import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Tests import the package by its public name; this condition resolves it to source.
  resolve: { conditions: ['@hitl/source'] },
  ssr: { resolve: { conditions: ['@hitl/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Starts a throwaway PostgreSQL cluster (or uses DATABASE_URL) for test/integration.
    globalSetup: ['test/support/postgres-global-setup.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
  },
})
