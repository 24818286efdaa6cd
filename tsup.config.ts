import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', postgres: 'src/stores/postgres/index.ts', webhook: 'src/signals/webhook/index.ts', dbos: 'src/signals/dbos/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
})
