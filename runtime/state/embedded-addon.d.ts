/**
 * Provided by the bundler (compiler/bundle/native-addon.ts): the better-sqlite3 addon embedded
 * in the bundle, as `EmbeddedAddon` (runtime/state/native.ts). Outside a bundle (tests) an alias
 * supplies `undefined` and better-sqlite3 loads its addon from node_modules as usual.
 */
declare module "helr-native:better_sqlite3" {
  const addon: { readonly sha256: string; gzipBase64(): string } | undefined;
  export default addon;
}
