/**
 * Provided by the bundler (compiler/bundle): the better-sqlite3 addon's bytes, embedded in
 * the bundle. Outside a bundle (tests) an alias supplies `undefined` and better-sqlite3
 * loads its addon from node_modules as usual.
 */
declare module "helr-native:better_sqlite3" {
  const bytes: Uint8Array | undefined;
  export default bytes;
}
