/**
 * `helrc`: the compiler's command line. The only compiler code that touches fs and env.
 */
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { findPackageRoot } from "../bundle/package-root.ts";
import { InternalError } from "../diagnostics/diagnostic.ts";
import { parseCommand, usage } from "./args.ts";
import { EXIT, UsageError, UserError } from "./errors.ts";
import { type CliIo, processIo } from "./io.ts";

/** helrc's own version, from package.json. */
export async function helrcVersion(): Promise<string> {
  const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  const pkg = JSON.parse(await readFile(`${root}package.json`, "utf8")) as {
    version?: unknown;
  };
  if (typeof pkg.version !== "string") throw new Error("package.json has no version");
  return pkg.version;
}

/**
 * Runs one helrc invocation.
 *
 * @param argv arguments after the script name.
 * @returns the exit code: 0 ok, 1 errors in the input (or an internal error), 2 usage error.
 *   Never throws: a bug prints one `helrc: internal error: …` line (stack with HELR_DEBUG=1).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const version = await helrcVersion();
    return await dispatch(argv, io, version);
  } catch (error) {
    return report(error, io);
  }
}

async function dispatch(argv: readonly string[], io: CliIo, version: string): Promise<number> {
  const invocation = parseCommand(argv);
  switch (invocation.kind) {
    case "help":
      io.stdout(usage(version));
      return EXIT.ok;
    case "version":
      io.stdout(`helrc ${version}\n`);
      return EXIT.ok;
    case "command":
      return invocation.command.run(invocation.argv, io, version);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr(`helrc: ${error.message}\nRun "helrc --help" for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof UserError) {
    io.stderr(`helrc: ${error.message}\n`);
    return EXIT.errors;
  }
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split("\n", 1)[0] ?? "";
  // The front end's InternalError already reads "error HLR9001: internal compiler error in …".
  io.stderr(error instanceof InternalError ? `helrc: ${line}\n` : `helrc: internal error: ${line}\n`);
  if (io.env.HELR_DEBUG === "1" && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return EXIT.errors;
}
