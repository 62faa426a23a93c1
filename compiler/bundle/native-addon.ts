/**
 * Embeds better-sqlite3's native addon in the bundle, so the bundle runs when copied alone
 * into a directory without node_modules.
 *
 * Contract with runtime/state/native.ts: `import addon from "helr-native:better_sqlite3"`
 * gives an `EmbeddedAddon`: the addon file's SHA-256 and a function returning the file gzipped
 * and base64-encoded. The runtime unpacks it into a cache file only when a SQLite store opens,
 * `process.dlopen`s it, then passes the module to better-sqlite3 as `nativeBinding`.
 *
 * Why this shape, for start-up time: gzip takes the 2.2 MB addon to 1.1 MB (1.5 MB of base64
 * instead of 2.9 MB of source to read and scan); inside a function, V8 only pre-parses the
 * literal at start-up and nothing is decoded unless SQLite is opened; and the hash computed here
 * spares the runtime hashing the embedded bytes on every start.
 *
 * better-sqlite3's default loader, the `bindings` package, searches node_modules at run time;
 * it is replaced by a module that fails loudly if anything calls it.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Plugin } from "esbuild";
import { litString } from "../emit/literal.ts";
import { resolveFromPackage } from "./package-root.ts";

/** The virtual module whose default export is the embedded addon. */
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
        return { contents: await addonModule(addonPath), loader: "js", watchFiles: [addonPath] };
      });
    },
  };
}

/** The virtual module's source for the addon file at `path` (an `EmbeddedAddon`). */
export async function addonModule(path: string): Promise<string> {
  const bytes = await readFile(path);
  const packed = await promisify(gzip)(bytes);
  return [
    `// ${ADDON_FILE} (${bytes.length} bytes), gzipped: unpacked by runtime/state/native.ts.`,
    "export default {",
    `  sha256: ${litString(createHash("sha256").update(bytes).digest("hex"))},`,
    `  gzipBase64() { return ${litString(packed.toString("base64"))}; },`,
    "};",
    "",
  ].join("\n");
}
