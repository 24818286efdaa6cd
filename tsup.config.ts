import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    postgres: 'src/stores/postgres/index.ts',
    webhook: 'src/signals/webhook/index.ts',
    dbos: 'src/signals/dbos/index.ts',
    testing: 'src/testing/index.ts',
    adapter: 'src/adapter/index.ts',
    http: 'src/http/index.ts',
    mcp: 'src/mcp/index.ts',
  },
  format: ['esm', 'cjs'],
  // nanoid is ESM-only, and Node before 20.19 cannot require() an ES module: the CommonJS build carries its own copy
  // of nanoid (a few hundred bytes), so `engines` can keep every Node 20. The ES module build imports it as usual.
  noExternal: ['nanoid'],
  esbuildOptions(options, { format }) {
    if (format === 'esm') options.external = [...(options.external ?? []), 'nanoid']
  },
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
})
