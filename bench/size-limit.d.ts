// size-limit's plugins ship no types: each is a list of plugin steps.
declare module '@size-limit/esbuild' {
  const plugins: object[]
  export default plugins
}
declare module '@size-limit/file' {
  const plugins: object[]
  export default plugins
}
