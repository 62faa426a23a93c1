/**
 * argv → a command to run, or a UsageError. No I/O here.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

/** A parsed command line. */
export type Command =
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "check"; readonly inputs: readonly string[] }
  | { readonly kind: "emit"; readonly inputs: readonly string[]; readonly outDir: string }
  | { readonly kind: "build"; readonly inputs: readonly string[]; readonly outFile: string };

/** Where `helrc build` writes when `-o` is not given. */
export const DEFAULT_BUNDLE = "dist/helr.js";

/** The help text; `version` goes in the first line. */
export function usage(version: string): string {
  return `helrc ${version} — compiles Helr source configs into one executable collector

Usage:
  helrc check <files|dirs>...               report diagnostics; exit 1 on errors
  helrc emit  <files|dirs>... -o <dir>      write one TypeScript module per source, plus index.ts
  helrc build <files|dirs>... [-o <file>]   bundle into one executable file (default ${DEFAULT_BUNDLE})
  helrc --help | --version

Directories are searched recursively for *.yaml, *.yml and *.helr (hidden directories and
node_modules are skipped). Exit codes: 0 ok, 1 errors, 2 usage error.
Set HELR_DEBUG=1 to print stack traces of internal errors.
`;
}

/** Parses argv (without node and script). @throws UsageError */
export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals } = parse(argv);
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const [name, ...inputs] = positionals;
  if (name === undefined) throw new UsageError("no command given");
  if (name === "help") return { kind: "help" };
  if (name !== "check" && name !== "emit" && name !== "build")
    throw new UsageError(`unknown command "${name}"`);
  if (inputs.length === 0) throw new UsageError(`${name}: no input files or directories given`);
  const output = values.output;
  if (name === "check") {
    if (output !== undefined) throw new UsageError("check: -o/--output is not used by check");
    return { kind: "check", inputs };
  }
  if (name === "emit") {
    if (output === undefined) throw new UsageError("emit: -o/--output <dir> is required");
    return { kind: "emit", inputs, outDir: output };
  }
  return { kind: "build", inputs, outFile: output ?? DEFAULT_BUNDLE };
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
