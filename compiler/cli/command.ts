/**
 * The shape of one `helrc` subcommand. Each command lives in its own file and is registered
 * with one line in registry.ts; `helrc --help` lists them in that order.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import type { CliIo } from "./io.ts";

/** One subcommand: its name, its `--help` lines, and how it runs. */
export interface CliCommand {
  readonly name: string;
  /** Usage lines for `--help`, each starting with `helrc <name>`; aligned by the help printer. */
  readonly usage: readonly (readonly [synopsis: string, summary: string])[];
  /**
   * Runs the command with the arguments after its name.
   *
   * @returns the exit code. @throws UsageError for bad arguments, UserError for I/O problems.
   */
  run(argv: readonly string[], io: CliIo, version: string): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs for one command; its errors become usage errors that name the command. */
export function parseCommandArgs<O extends Options>(name: string, argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads an option that takes one of a fixed set of words. @throws UsageError */
export function choice<T extends string>(
  name: string,
  option: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name}: --${option} must be one of ${allowed.join(", ")}, got "${value}"`);
}
