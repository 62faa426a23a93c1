import { posix, win32 } from "node:path";

/**
 * Where `hooks.script` points, as the Rust Helr resolves it: an absolute path or one starting
 * with `./` is used as given; anything else is under `global.hooks.path` (`./hooks` when unset or
 * empty). The result is still relative to whatever directory the caller resolves paths against
 * (the config file's, for helrc).
 */
export function hookScriptPath(script: string, hooksPath: string | undefined): string {
  const path = script.trim();
  if (posix.isAbsolute(path) || win32.isAbsolute(path) || path.startsWith("./") || path.startsWith(".\\"))
    return path;
  const base = hooksPath === undefined || hooksPath === "" ? "./hooks" : hooksPath;
  return posix.join(base, path);
}

/** `.ts`, `.mts` and `.cts` files are TypeScript; everything else (and inline scripts) JavaScript. */
export function hookLanguage(path: string): "js" | "ts" {
  return /\.[mc]?ts$/i.test(path) ? "ts" : "js";
}

/** How messages and the bundle name an inline script (never a file path). */
export function inlineScriptName(sourceId: string): string {
  return `sources.${sourceId}.hooks.script_inline`;
}
