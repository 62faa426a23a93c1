/**
 * Serves emitted modules and the bundle entry to esbuild from memory.
 *
 * No temp directory: nothing to clean up, and esbuild's path comments read
 * `helr-generated:okta-audit.ts` instead of a random temp path, so a bundle's bytes do not
 * depend on where or when it was built.
 */
import type { Plugin } from "esbuild";
import { BUNDLE_LOAD_HOOK } from "../../runtime/control/bundle-hook.ts";
import { litString } from "../emit/literal.ts";
import { ENTRY_MAIN, RUNTIME_MODULE } from "../emit/runtime-imports.ts";
import { PACKAGE_ROOT } from "./package-root.ts";
import { SCAN_THREAD_MODULE } from "./scan-thread.ts";

/** esbuild entry point name served by {@link generatedModulesPlugin}. */
export const ENTRY = "helr:entry";

const NAMESPACE = "helr-generated";
const ENTRY_FILE = "entry.js";

/**
 * The entry: hand the generated app, and the page scan thread's program, to the runtime's CLI;
 * or, when a running collector loads the file again to reload it (runtime/control/reload-bundle.ts),
 * hand the app to the loader's hook and run nothing.
 */
export function entrySource(indexFile: string): string {
  return [
    `import { ${ENTRY_MAIN} } from ${litString(RUNTIME_MODULE)};`,
    `import scanThread from ${litString(SCAN_THREAD_MODULE)};`,
    `import { app } from ${litString(`./${indexFile}`)};`,
    `const load = globalThis[Symbol.for(${litString(BUNDLE_LOAD_HOOK)})];`,
    `if (typeof load === "function") load(app);`,
    `else void ${ENTRY_MAIN}(app, undefined, { scanThread });`,
    "",
  ].join("\n");
}

/**
 * @param modules file name → TS text, as emitProgram returns it.
 * @param indexFile the module exporting `app`.
 */
export function generatedModulesPlugin(modules: ReadonlyMap<string, string>, indexFile: string): Plugin {
  return {
    name: "helr-generated-modules",
    setup(build) {
      build.onResolve({ filter: /^helr:entry$/ }, () => ({ path: ENTRY_FILE, namespace: NAMESPACE }));
      build.onResolve({ filter: /^\.\//, namespace: NAMESPACE }, (args) => ({
        path: args.path.slice(2),
        namespace: NAMESPACE,
      }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        // resolveDir: bare imports (`@helr/runtime`) resolve as if from the package root.
        if (args.path === ENTRY_FILE)
          return { contents: entrySource(indexFile), loader: "js", resolveDir: PACKAGE_ROOT };
        const text = modules.get(args.path);
        if (text === undefined) return { errors: [{ text: `no generated module named ${args.path}` }] };
        return { contents: text, loader: "ts", resolveDir: PACKAGE_ROOT };
      });
    },
  };
}
