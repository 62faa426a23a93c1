/**
 * Where this checkout (or installed package) of helrc lives: the runtime and its
 * dependencies are bundled from here, not from the user's working directory.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The nearest directory above `from` whose package.json is helr's. Found by walking up rather
 * than by a fixed `../..`, so the same code works from compiler/ sources and from the prebuilt
 * out/helrc/ chunks.
 */
export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "helr"
    ) {
      return dir.endsWith(sep) ? dir : `${dir}${sep}`;
    }
    if (dirname(dir) === dir) throw new Error(`helrc: cannot find helr's package.json above ${from}`);
  }
}

/** Absolute path of the package root, with a trailing separator. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** Absolute path of the runtime entry that `@helr/runtime` names. */
export const RUNTIME_ENTRY = join(PACKAGE_ROOT, "runtime", "index.ts");

/** Resolves a dependency the way the runtime's own imports resolve it. */
export function resolveFromPackage(specifier: string): string {
  return createRequire(`${PACKAGE_ROOT}package.json`).resolve(specifier);
}
