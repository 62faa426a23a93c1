/**
 * `helrc convert <file> --to helr|yaml`: rewrites a config in the other format (or the same
 * one, normalised). Syntax only: the result means what the input meant, valid or not; run
 * `helrc check` to validate. Comments are not carried over (a note says so). A Flicker config
 * (`api_sources:`) becomes the Helr config it compiles as, its comments kept in YAML output.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { convertFlicker } from "../dialect/flicker/convert.ts";
import { convertConfig } from "../syntax/dsl/format.ts";
import { PrintError } from "../syntax/dsl/print.ts";
import { type CliCommand, choice, parseCommandArgs } from "./command.ts";
import { describeFsError, EXIT, UsageError, UserError } from "./errors.ts";
import { renderText } from "./front-end.ts";
import { oversizeReport, readInputs } from "./inputs.ts";

/** The `convert` command. */
export const convertCommand: CliCommand = {
  name: "convert",
  usage: [["helrc convert <file> --to helr|yaml [-o <file>]", "rewrite a config as .helr or YAML"]],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("convert", argv, {
      to: { type: "string" },
      output: { type: "string", short: "o" },
    });
    const [path, ...extra] = positionals;
    if (path === undefined) throw new UsageError("convert: no input file given");
    if (extra.length > 0) throw new UsageError("convert: give exactly one input file");
    if (values.to === undefined) throw new UsageError("convert: --to helr|yaml is required");
    const to = choice("convert", "to", values.to, ["helr", "yaml"] as const, "helr");
    const [input] = await readInputs([path], io.cwd);
    if (input === undefined) throw new UserError(`cannot read ${path}`);
    const tooLarge = oversizeReport(input);
    if (tooLarge !== undefined) {
      io.stderr(tooLarge);
      return EXIT.errors;
    }
    const result = convertInput(input.path, input.text, to);
    if (result.text === undefined || result.diagnostics.length > 0)
      io.stderr(renderText([...result.diagnostics], [result.file]));
    if (result.text === undefined) return EXIT.errors;
    if (result.droppedComments) io.stderr(`helrc: note: comments in ${path} are not carried over\n`);
    if (values.output === undefined) io.stdout(result.text);
    else await writeOutput(resolve(io.cwd, values.output), values.output, result.text);
    return EXIT.ok;
  },
};

function convertInput(path: string, text: string, to: "helr" | "yaml") {
  try {
    return convertFlicker(path, text, to) ?? convertConfig(path, text, to);
  } catch (error) {
    if (error instanceof PrintError) throw new UserError(`cannot convert ${path}: ${error.message}`);
    throw error;
  }
}

async function writeOutput(file: string, shown: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  } catch (error) {
    throw new UserError(`cannot write ${shown}: ${describeFsError(error)}`);
  }
}
