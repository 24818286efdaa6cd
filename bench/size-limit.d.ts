// @size-limit/esbuild ships no types: it is a list of size-limit plugins.
declare module '@size-limit/esbuild' {
  const plugins: object[]
  export default plugins
}
