/**
 * Bundles the emitted modules, the runtime and every dependency into one executable JS file.
 *
 * Tuned for start-up (docs/architecture.md, "How a bundle starts fast"): a CommonJS script, so
 * Node reads and compiles it once (an ES module named `.js` outside a `"type": "module"` package
 * is first tried as CommonJS, then read and compiled again) and `require`s each Node builtin only
 * when the module using it first runs; whitespace-minified and pure ASCII, so V8 holds its source
 * as a one-byte string. Identifiers are kept, so stack traces still name functions.
 */
import { type BuildFailure, build, type Message, type Metafile } from "esbuild";
import { doc } from "../emit/literal.ts";
import { ENTRY, generatedModulesPlugin } from "./generated-modules.ts";
import { nativeAddonPlugin } from "./native-addon.ts";
import { RUNTIME_ENTRY } from "./package-root.ts";
import { scanThreadPlugin } from "./scan-thread.ts";
import { NODE_SCRIPT } from "./script-options.ts";

/** How to bundle. */
export interface BundleOptions {
  /** helrc version, for the banner comment. */
  readonly version: string;
  /** The module exporting `app`; `index.ts` by default. */
  readonly indexFile?: string;
  /** Output name recorded in the metafile (nothing is written); `helr.js` by default. */
  readonly outFile?: string;
  /** The better-sqlite3 addon to embed; this package's own build by default. */
  readonly nativeAddon?: string;
}

/** The bundle, in memory: the CLI decides where it goes. */
export interface BundleResult {
  readonly code: Uint8Array;
  /** esbuild's metafile; input paths are relative to the package root. */
  readonly metafile: Metafile;
  /** esbuild warnings, formatted one per line (e.g. a require() it could not follow). */
  readonly warnings: readonly string[];
}

/**
 * The shebang makes the file executable. `"use strict"` keeps the strict semantics the runtime's
 * ES modules were written for. The bundle has no `import`/`export`, so it also runs as an ES
 * module (when named `.mjs` or placed in a `"type": "module"` package), where `require` does not
 * exist: it is made from `node:module` (Node ≥ 20.16; the bundle only requires Node builtins).
 */
function banner(version: string): string {
  return [
    "#!/usr/bin/env node",
    `// Built by helrc ${doc(version)}. DO NOT EDIT.`,
    '"use strict";',
    'var require = typeof require === "function" ? require :',
    '  process.getBuiltinModule("node:module").createRequire(process.argv[1] ?? process.cwd() + "/");',
  ].join("\n");
}

/**
 * Bundles `modules` (file name → TS text, from emitProgram) with the runtime.
 *
 * The result does not depend on the build directory or time: same modules, same runtime and
 * dependencies → same bytes.
 *
 * @throws Error listing esbuild's errors; generated code and runtime always compile, so any
 *   error is a helrc bug (or a broken install).
 */
export async function bundleModules(
  modules: ReadonlyMap<string, string>,
  options: BundleOptions,
): Promise<BundleResult> {
  const indexFile = options.indexFile ?? "index.ts";
  try {
    const result = await build({
      ...NODE_SCRIPT,
      entryPoints: [ENTRY],
      outfile: options.outFile ?? "helr.js",
      metafile: true,
      treeShaking: true,
      banner: { js: banner(options.version) },
      alias: { "@helr/runtime": RUNTIME_ENTRY },
      plugins: [
        generatedModulesPlugin(modules, indexFile),
        nativeAddonPlugin(options.nativeAddon),
        scanThreadPlugin(),
      ],
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error("esbuild produced no output file");
    return { code: output.contents, metafile: result.metafile, warnings: result.warnings.map(formatMessage) };
  } catch (error) {
    if (isBuildFailure(error))
      throw new Error(`bundling failed: ${error.errors.map(formatMessage).join("; ")}`);
    throw error;
  }
}

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors);
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}: ` : "";
  return `${where}${message.text}`;
}
