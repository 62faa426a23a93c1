/**
 * `helrc fmt`: prints `.helr` files in canonical form, rewrites them (`--write`) or checks
 * them (`--check`, exit 1 when a file would change). Comments and blank lines are kept.
 */
import { stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatHelr } from "../syntax/dsl/format.ts";
import { isDslPath } from "../syntax/dsl/parse-dsl.ts";
import { type CliCommand, parseCommandArgs } from "./command.ts";
import { describeFsError, EXIT, UsageError, UserError } from "./errors.ts";
import { renderText } from "./front-end.ts";
import { collectInputs, oversizeReport, readInputs } from "./inputs.ts";
import type { CliIo } from "./io.ts";

/** The `fmt` command. */
export const fmtCommand: CliCommand = {
  name: "fmt",
  usage: [["helrc fmt <files|dirs>... [--write|--check]", "print .helr files in canonical form"]],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("fmt", argv, {
      write: { type: "boolean", short: "w" },
      check: { type: "boolean" },
    });
    if (values.write === true && values.check === true)
      throw new UsageError("fmt: --write and --check cannot be used together");
    if (positionals.length === 0) throw new UsageError("fmt: no input files or directories given");
    const mode = values.write === true ? "write" : values.check === true ? "check" : "print";
    return formatFiles(await helrFiles(positionals, io.cwd), mode, io);
  },
};

type Mode = "print" | "write" | "check";

async function formatFiles(paths: readonly string[], mode: Mode, io: CliIo): Promise<number> {
  let exit: number = EXIT.ok;
  for (const input of await readInputs(paths, io.cwd)) {
    const tooLarge = oversizeReport(input);
    if (tooLarge !== undefined) {
      io.stderr(tooLarge);
      exit = EXIT.errors;
      continue;
    }
    const result = formatHelr(input.path, input.text);
    if (result.text === undefined) {
      io.stderr(renderText([...result.diagnostics], [result.file]));
      exit = EXIT.errors;
      continue;
    }
    if (mode === "print") io.stdout(result.text);
    else if (result.text !== input.text && mode === "check") {
      io.stderr(`helrc: ${input.path} is not formatted; run "helrc fmt --write ${input.path}"\n`);
      exit = EXIT.errors;
    } else if (result.text !== input.text) {
      await writeFile(resolve(io.cwd, input.path), result.text).catch((error: unknown) => {
        throw new UserError(`cannot write ${input.path}: ${describeFsError(error)}`);
      });
      io.stdout(`helrc: formatted ${input.path}\n`);
    }
  }
  return exit;
}

/**
 * The `.helr` files named by the arguments: files as given (they must be `.helr`), and the
 * `.helr` files found under directories.
 */
async function helrFiles(args: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const info = await stat(resolve(cwd, arg)).catch((error: unknown) => {
      throw new UserError(`cannot read ${arg}: ${describeFsError(error)}`);
    });
    if (!info.isDirectory() && !isDslPath(arg))
      throw new UsageError(`fmt: ${arg} is not a .helr file (helrc convert ${arg} --to helr converts YAML)`);
    const found = info.isDirectory() ? (await collectInputs([arg], cwd)).filter(isDslPath) : [arg];
    if (found.length === 0) throw new UserError(`fmt: no .helr files in ${arg}`);
    out.push(...found);
  }
  return [...new Set(out)];
}
