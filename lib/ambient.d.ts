// node-gyp-build ships no types.
declare module 'node-gyp-build' {
  function load(dir: string): unknown;
  namespace load {
    /** The path of the addon load(dir) would require. */
    function resolve(dir: string): string;
  }
  export = load;
}
