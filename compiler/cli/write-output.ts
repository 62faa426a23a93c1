/**
 * Writes generated modules and bundles to disk.
 */
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { GENERATED_MARKER } from "../emit/marker.ts";
import { describeFsError, UserError } from "./errors.ts";

/** What writeModules changed. */
export interface WriteReport {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
}

/**
 * Writes `modules` into `dir` and deletes `*.ts` files there that carry the `@generated`
 * header but are no longer produced (a source was renamed or removed). Files whose bytes
 * already match are not touched, so watchers and mtimes only see real changes. Files
 * without the header are never deleted: they are not ours.
 */
export async function writeModules(dir: string, modules: ReadonlyMap<string, string>): Promise<WriteReport> {
  return guard(dir, async () => {
    await mkdir(dir, { recursive: true });
    const written: string[] = [];
    const unchanged: string[] = [];
    for (const [name, text] of modules) {
      const path = join(dir, name);
      if ((await readOptional(path)) === text) {
        unchanged.push(name);
        continue;
      }
      await writeFile(path, text);
      written.push(name);
    }
    const removed = await removeStale(dir, modules);
    return { written, unchanged, removed };
  });
}

/** Writes an executable file atomically: a reader never sees half a bundle. */
export async function writeExecutable(file: string, contents: Uint8Array): Promise<void> {
  await guard(file, async () => {
    await mkdir(dirname(resolve(file)), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(temp, contents, { mode: 0o755 });
      // The mode passed to writeFile is filtered by the umask; chmod is not.
      await chmod(temp, 0o755);
      await rename(temp, file);
    } finally {
      await rm(temp, { force: true });
    }
  });
}

async function removeStale(dir: string, modules: ReadonlyMap<string, string>): Promise<string[]> {
  const removed: string[] = [];
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !modules.has(entry.name))
    .map((entry) => entry.name)
    .sort();
  for (const name of names) {
    const text = await readOptional(join(dir, name));
    if (text?.startsWith(GENERATED_MARKER)) {
      await rm(join(dir, name));
      removed.push(name);
    }
  }
  return removed;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** File-system failures become one-line user errors naming the path. */
async function guard<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof Error && "code" in error && "syscall" in error) {
      throw new UserError(`cannot write ${path}: ${describeFsError(error)}`);
    }
    throw error;
  }
}
