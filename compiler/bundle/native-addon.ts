/**
 * Embeds better-sqlite3's native addon in the bundle, so the bundle runs when copied alone
 * into a directory without node_modules.
 *
 * Contract with runtime/state/native.ts: `import bytes from "helr-native:better_sqlite3"`
 * gives the addon file's bytes as a Uint8Array (esbuild's `binary` loader). The runtime writes
 * them to a cache file and `process.dlopen`s it, then passes the module to better-sqlite3 as
 * `nativeBinding`. better-sqlite3's default loader, the `bindings` package, searches
 * node_modules at run time; it is replaced by a module that fails loudly if anything calls it.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Plugin } from "esbuild";
import { resolveFromPackage } from "./package-root.ts";

/** The virtual module whose default export is the addon's bytes. */
export const NATIVE_ADDON_MODULE = "helr-native:better_sqlite3";

const NAMESPACE = "helr-native";
const ADDON_FILE = "better_sqlite3.node";

const BINDINGS_STUB = `module.exports = function bindings(name) {
  throw new Error("helr: cannot load native module " + JSON.stringify(String(name)) +
    " from node_modules inside a bundle; better-sqlite3 must be opened with the embedded " +
    "addon (runtime/state/native.ts). This is a helr bug.");
};
`;

/** Absolute path of the addon this checkout's better-sqlite3 was built with. */
export function nativeAddonPath(): string {
  const packageJson = resolveFromPackage("better-sqlite3/package.json");
  return join(dirname(packageJson), "build", "Release", ADDON_FILE);
}

/** The esbuild plugin: `helr-native:better_sqlite3` → addon bytes; `bindings` → a throwing stub. */
export function nativeAddonPlugin(addonPath: string = nativeAddonPath()): Plugin {
  return {
    name: "helr-native-addon",
    setup(build) {
      // A relative display path keeps the build machine's directories out of the bundle.
      build.onResolve({ filter: /^helr-native:better_sqlite3$/ }, () => ({
        path: ADDON_FILE,
        namespace: NAMESPACE,
      }));
      build.onResolve({ filter: /^bindings$/ }, () => ({ path: "bindings", namespace: NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
        if (args.path === "bindings") return { contents: BINDINGS_STUB, loader: "js" };
        return { contents: await readFile(addonPath), loader: "binary", watchFiles: [addonPath] };
      });
    },
  };
}
