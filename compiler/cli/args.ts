/**
 * argv → what to run: help, version, or one registered command with its arguments. No I/O here.
 */
import type { CliCommand } from "./command.ts";
import { UsageError } from "./errors.ts";
import { COMMANDS } from "./registry.ts";

/** A parsed command line. */
export type Invocation =
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "command"; readonly command: CliCommand; readonly argv: readonly string[] };

/** The help text, built from the registered commands; `version` goes in the first line. */
export function usage(version: string): string {
  const table = [...COMMANDS.flatMap((command) => command.usage), ["helrc --help | --version", ""] as const]
    .map(([synopsis, text]) => (text === "" ? `  ${synopsis}` : `  ${synopsis}\n      ${text}`))
    .join("\n");
  return `helrc ${version} — compiles Helr source configs into one executable collector

Usage:
${table}

Directories are searched recursively for *.yaml, *.yml and *.helr (hidden directories and
node_modules are skipped). Exit codes: 0 ok (warnings allowed), 1 errors, 2 usage error.
Set HELR_DEBUG=1 to print stack traces of internal errors.
`;
}

/** Picks the command; its own arguments are parsed by the command. @throws UsageError */
export function parseCommand(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError("no command given");
  if (first === "help" || first === "--help" || first === "-h") return { kind: "help" };
  if (first === "--version" || first === "-V") return { kind: "version" };
  if (first.startsWith("-")) throw new UsageError(`unknown option "${first}" (the command comes first)`);
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) throw new UsageError(`unknown command "${first}"`);
  if (rest.includes("--help") || rest.includes("-h")) return { kind: "help" };
  return { kind: "command", command, argv: rest };
}
