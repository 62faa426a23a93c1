/**
 * Command-line paths → the config files to compile, read into memory.
 */
import { type FileHandle, open, readdir, readFile, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { renderText } from "../diagnostics/render.ts";
import { SourceFile } from "../source/source-file.ts";
import { checkFileSize, MAX_CONFIG_BYTES } from "../syntax/size-limit.ts";
import { describeFsError, UserError } from "./errors.ts";

/** A config file as the front end receives it: the path as the user wrote it, and its text. */
export interface InputText {
  readonly path: string;
  readonly text: string;
  /** Set for a file over the size limit: its size in bytes; `text` is then only its first line. */
  readonly size?: number;
}

/** What is read of a file over the limit: enough for the first line of the diagnostic's code frame. */
const HEAD_BYTES = 256;
const CHUNK_BYTES = 64 * 1024;

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

/**
 * Reads every input. A file over `limit` bytes is not read whole (the front end refuses it
 * with HLR1007 anyway); only its first line is, and its size is reported.
 *
 * @throws UserError naming the file that could not be read.
 */
export async function readInputs(
  paths: readonly string[],
  cwd: string,
  limit = MAX_CONFIG_BYTES,
): Promise<InputText[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return await readInput(path, resolve(cwd, path), limit);
      } catch (error) {
        throw new UserError(`cannot read ${path}: ${describeFsError(error)}`);
      }
    }),
  );
}

async function readInput(path: string, file: string, limit: number): Promise<InputText> {
  const handle = await open(file, "r");
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const { bytes, size } = await readStream(handle, limit);
      return size <= limit ? { path, text: bytes.toString("utf8") } : { path, text: firstLine(bytes), size };
    }
    if (info.size <= limit) return { path, text: await handle.readFile("utf8") };
    const head = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
    return { path, text: firstLine(head.buffer.subarray(0, head.bytesRead)), size: info.size };
  } finally {
    await handle.close();
  }
}

function firstLine(bytes: Buffer): string {
  return bytes.toString("utf8").split(/\r?\n|\r/, 1)[0] ?? "";
}

/**
 * A pipe or device (`helrc check <(…)`) has no size to stat: its bytes are kept up to the limit,
 * then only counted, so memory stays bounded while the diagnostic can still say how large it was.
 */
async function readStream(handle: FileHandle, limit: number): Promise<{ bytes: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(CHUNK_BYTES), 0, CHUNK_BYTES, null);
    if (bytesRead === 0) break;
    size += bytesRead;
    if (size <= limit || chunks.length === 0) chunks.push(buffer.subarray(0, bytesRead));
  }
  return { bytes: Buffer.concat(chunks), size };
}

/**
 * HLR1007, rendered, for an input that was too large to read whole; undefined for any other.
 * For commands that do not run the front end (fmt, convert).
 */
export function oversizeReport(input: InputText): string | undefined {
  if (input.size === undefined) return undefined;
  const file = new SourceFile(input.path, input.text);
  return renderText(checkFileSize(file, input.size), [file]);
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

/** Largest hook script read (the config limit, 4 MiB): a bigger one is reported as unreadable. */
const MAX_SCRIPT_BYTES = 4 * 1024 * 1024;

/** Reads hook scripts for the hooks stage: paths relative to `cwd`; undefined when unreadable. */
export function scriptReader(cwd: string): (path: string) => Promise<string | undefined> {
  return async (path) => {
    try {
      const file = resolve(cwd, path);
      const info = await stat(file);
      if (!info.isFile() || info.size > MAX_SCRIPT_BYTES) return undefined;
      return await readFile(file, "utf8");
    } catch {
      return undefined;
    }
  };
}
