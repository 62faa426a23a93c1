#!/usr/bin/env node
/**
 * Prebuilds helrc into out/helrc/ (ESM, split at dynamic imports) so the command starts without
 * compiling TypeScript on the fly. Runs on `npm install`/`npm ci` (the `prepare` script).
 * bin/helrc.mjs uses it only while it is newer than every compiler source, and falls back to
 * tsx otherwise, so an edited checkout never runs a stale compiler.
 *
 * Splitting keeps ts-morph and esbuild (emit, build) out of the start-up of `check`, and the
 * other dependencies are bundled in, so Node does not resolve and open each of their files.
 */
import { rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("out/helrc", { recursive: true, force: true });

await build({
  entryPoints: ["compiler/cli/main.ts"],
  outdir: "out/helrc",
  entryNames: "helrc",
  chunkNames: "chunk-[hash]",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Dependencies are bundled (one file to load instead of hundreds: `check` starts in about a
  // fifth of the time) except the big ones that only `emit`/`build` load, and esbuild itself.
  external: ["esbuild", "ts-morph", "typescript"],
  // Bundled CommonJS dependencies (yaml, ajv) call require().
  banner: {
    js: 'import { createRequire as __helrcRequire } from "node:module"; const require = __helrcRequire(import.meta.url);',
  },
  legalComments: "none",
  logLevel: "warning",
});
