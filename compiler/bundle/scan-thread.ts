/**
 * Embeds the page scan thread's program in the bundle: runtime/extract/scan-thread-main.ts and
 * the byte scanner it imports, bundled on their own into one small script, served as the
 * default export (a string) of the virtual module `helr-thread:scan`. The bundle's entry hands
 * it to the runtime, which starts the thread with `new Worker(source, { eval: true })`, so the
 * thread compiles a few kilobytes instead of the whole bundle.
 */
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { litString } from "../emit/literal.ts";
import { PACKAGE_ROOT } from "./package-root.ts";
import { NODE_SCRIPT } from "./script-options.ts";

/** The virtual module whose default export is the scan thread's program. */
export const SCAN_THREAD_MODULE = "helr-thread:scan";

const NAMESPACE = "helr-thread";
const THREAD_MAIN = join(PACKAGE_ROOT, "runtime", "extract", "scan-thread-main.ts");

/** The thread's program, built like the bundle (CommonJS: an eval'd worker script has `require`). */
export async function scanThreadProgram(): Promise<string> {
  const result = await build({ ...NODE_SCRIPT, entryPoints: [THREAD_MAIN] });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no scan thread program");
  return output.text;
}

/** The esbuild plugin serving `helr-thread:scan`. */
export function scanThreadPlugin(): Plugin {
  return {
    name: "helr-scan-thread",
    setup(build) {
      build.onResolve({ filter: /^helr-thread:scan$/ }, () => ({ path: "scan", namespace: NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, async () => ({
        contents: `export default ${litString(await scanThreadProgram())};\n`,
        loader: "js",
      }));
    },
  };
}
