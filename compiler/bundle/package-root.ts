/**
 * Where this checkout (or installed package) of helrc lives: the runtime and its
 * dependencies are bundled from here, not from the user's working directory.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Absolute path of the package root, with a trailing separator (this file is compiler/bundle/…). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Absolute path of the runtime entry that `@helr/runtime` names. */
export const RUNTIME_ENTRY = fileURLToPath(new URL("../../runtime/index.ts", import.meta.url));

/** Resolves a dependency the way the runtime's own imports resolve it. */
export function resolveFromPackage(specifier: string): string {
  return createRequire(`${PACKAGE_ROOT}package.json`).resolve(specifier);
}
