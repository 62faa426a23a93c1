/**
 * Command-line paths → the config files to compile, read into memory.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { describeFsError, UserError } from "./errors.ts";

/** A config file as the front end receives it: the path as the user wrote it, and its text. */
export interface InputText {
  readonly path: string;
  readonly text: string;
}

const CONFIG_FILE = /\.(ya?ml|helr)$/;

/**
 * Expands each argument: a file is taken as given (any extension), a directory is searched
 * recursively for config files in sorted order. Duplicates are dropped.
 *
 * @throws UserError when a path cannot be read, or nothing was found.
 */
export async function collectInputs(args: readonly string[], cwd: string): Promise<string[]> {
  const found: string[] = [];
  for (const arg of args) {
    const info = await stat(resolve(cwd, arg)).catch((error: unknown) => {
      throw new UserError(`cannot read ${arg}: ${describeFsError(error)}`);
    });
    if (info.isDirectory()) found.push(...(await walk(arg, cwd)));
    else found.push(arg);
  }
  if (found.length === 0) throw new UserError(`no *.yaml, *.yml or *.helr files in ${args.join(", ")}`);
  return [...new Set(found)];
}

/** Reads every input. @throws UserError naming the file that could not be read. */
export async function readInputs(paths: readonly string[], cwd: string): Promise<InputText[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return { path, text: await readFile(resolve(cwd, path), "utf8") };
      } catch (error) {
        throw new UserError(`cannot read ${path}: ${describeFsError(error)}`);
      }
    }),
  );
}

/** Config files under `dir`, depth first, entries in code-unit order at every level. */
async function walk(dir: string, cwd: string): Promise<string[]> {
  const entries = await readdir(resolve(cwd, dir), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    // Forward slashes everywhere: the path becomes a source's `origin` in generated code,
    // which must not differ between build machines.
    const path = join(dir, entry.name).split(sep).join("/");
    // Hidden directories and dependencies hold other tools' YAML, never Helr sources.
    if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules") {
      files.push(...(await walk(path, cwd)));
    } else if (entry.isFile() && CONFIG_FILE.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}
