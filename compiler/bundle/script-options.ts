import type { BuildOptions } from "esbuild";
import { PACKAGE_ROOT } from "./package-root.ts";

/**
 * How every script helrc bundles is built (the bundle itself and the page scan thread's
 * program): in memory, one CommonJS file for Node 20, whitespace- and syntax-minified, pure
 * ASCII (V8 keeps it as a one-byte string), names kept. docs/architecture.md says why.
 */
export const NODE_SCRIPT = {
  absWorkingDir: PACKAGE_ROOT,
  bundle: true,
  write: false,
  platform: "node",
  format: "cjs",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  charset: "ascii",
  legalComments: "none",
  logLevel: "silent",
} as const satisfies BuildOptions;
