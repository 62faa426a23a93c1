import { parseArgs } from "node:util";
import type { App } from "../app.ts";
import { redactSecrets } from "../config/secret-registry.ts";
import { useScanThread } from "../extract/scan-thread.ts";
import { UsageError, usage } from "./usage.ts";

/*
 * Commands are imported when they run, not with this module: in the bundle, esbuild turns each
 * `await import()` into a lazy initialiser, so `--version` and `--help` never load undici, pino,
 * the engine or the state clients (most of a bundle's start-up time).
 */

/** What the bundle entry hands {@link main} besides the app. */
export interface MainOptions {
  /**
   * The page scan thread's program (runtime/extract/scan-thread-main.ts bundled on its own);
   * without it, pages are scanned on the main thread.
   */
  readonly scanThread?: string;
}

/** The bundle's entry point: parses argv, runs the command, sets the exit code. */
export async function main(
  app: App,
  argv: readonly string[] = process.argv.slice(2),
  options: MainOptions = {},
): Promise<void> {
  useScanThread(options.scanThread);
  try {
    process.exitCode = await dispatch(app, argv);
  } catch (error) {
    const err = error as Error & { code?: string };
    if (error instanceof UsageError) {
      process.stderr.write(`helr: ${err.message}\nRun "helr --help" for usage.\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(redactSecrets(`helr: ${err.message}\n`));
    if (process.env.HELR_DEBUG) process.stderr.write(redactSecrets(`${err.stack ?? ""}\n`));
    process.exitCode = 1;
  }
}

async function dispatch(app: App, argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-V") return print(`helr ${app.version}\n`);
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    return print(usage(app.version));
  }
  if (command === "validate") return validate(app, rest);
  if (command === "run") return (await import("./run.ts")).runMain(app, rest);
  if (command === "test") return (await import("./test.ts")).testMain(app, rest);
  if (command === "state") return (await import("./state.ts")).stateCommand(app, rest);
  if (command === "leases") return (await import("./leases.ts")).leasesCommand(app, rest);
  throw new UsageError(`unknown command "${command}"`);
}

async function validate(app: App, args: readonly string[]): Promise<number> {
  parseWith(args, {});
  const { validateApp } = await import("./validate.ts");
  const problems = await validateApp(app, process.env);
  if (problems.length === 0) return print(`config valid: ${app.sources.length} source(s)\n`);
  process.stderr.write(redactSecrets(`${problems.map((p) => `error: ${p}`).join("\n")}\n`));
  return 1;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

function parseWith(args: readonly string[], options: Options): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args: [...args], options: options ?? {}, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}
