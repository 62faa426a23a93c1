import addonBytes from "helr-native:better_sqlite3";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { StateError } from "./store.ts";

/**
 * The better-sqlite3 native addon for a bundle that runs without node_modules.
 *
 * The bundle embeds the addon's bytes. On first use they are written once to a per-user
 * cache directory named after their SHA-256 (`$HELR_NATIVE_DIR` overrides it), checked
 * against that hash on every start, then loaded with `process.dlopen`. Returns undefined when
 * running from source, where better-sqlite3 finds its own addon.
 */
export function loadSqliteAddon(): object | undefined {
  if (addonBytes === undefined) return undefined;
  const digest = createHash("sha256").update(addonBytes).digest("hex");
  const dir = process.env.HELR_NATIVE_DIR ?? join(cacheRoot(), `native-${digest.slice(0, 16)}`);
  const file = join(dir, "better_sqlite3.node");
  if (!hasDigest(file, digest)) writeAtomically(dir, file, addonBytes);
  const module = { exports: {} };
  try {
    process.dlopen(module, file);
  } catch (error) {
    throw new StateError(
      "HELR_STATE_NATIVE",
      `cannot load the embedded SQLite addon (${file}) on Node ${process.version} ` +
        `(ABI ${process.versions.modules}, ${process.platform}-${process.arch}): ${(error as Error).message}. ` +
        "Rebuild the bundle with `helrc build` on this Node version and platform, or use state.backend: memory.",
    );
  }
  return module.exports;
}

function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return join(base || tmpdir(), "helr");
}

function hasDigest(file: string, digest: string): boolean {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex") === digest;
  } catch {
    return false;
  }
}

function writeAtomically(dir: string, file: string, bytes: Uint8Array): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, bytes, { mode: 0o700 });
    renameSync(temp, file);
  } catch (error) {
    throw new StateError(
      "HELR_STATE_NATIVE",
      `cannot unpack the embedded SQLite addon into ${dir}: ${(error as Error).message}. ` +
        "Set HELR_NATIVE_DIR to a writable directory.",
    );
  }
}
