/**
 * `helrc check`: diagnostics as text (stderr, like tsc), JSON or SARIF (stdout), nothing written.
 */
import { renderJson } from "../diagnostics/json.ts";
import { renderSarif } from "../diagnostics/sarif.ts";
import { type CliCommand, choice, parseCommandArgs } from "./command.ts";
import { analyseInputs, summary } from "./commands.ts";
import { EXIT, UsageError } from "./errors.ts";
import { analyzeProgram } from "./front-end.ts";
import { collectInputs, readInputs, scriptReader } from "./inputs.ts";

const FORMATS = ["text", "json", "sarif"] as const;

/** The `check` command. */
export const checkCommand: CliCommand = {
  name: "check",
  usage: [
    [
      "helrc check <files|dirs>... [--format text|json|sarif] [--strict]",
      "report diagnostics; exit 1 on errors (--strict: lints are errors)",
    ],
  ],
  async run(argv, io, version) {
    const { values, positionals } = parseCommandArgs("check", argv, {
      format: { type: "string", short: "f" },
      strict: { type: "boolean" },
    });
    if (positionals.length === 0) throw new UsageError("check: no input files or directories given");
    const format = choice("check", "format", values.format, FORMATS, "text");
    const strict = values.strict === true;
    if (format === "text") {
      const analysis = await analyseInputs(positionals, io, { strict });
      io.stderr(`${summary(analysis.errors, analysis.warnings)}\n`);
      return analysis.errors > 0 ? EXIT.errors : EXIT.ok;
    }
    const texts = await readInputs(await collectInputs(positionals, io.cwd), io.cwd);
    const result = await analyzeProgram([...texts], scriptReader(io.cwd), { strict });
    io.stdout(
      format === "json"
        ? renderJson(result.diagnostics, result.files)
        : renderSarif(result.diagnostics, result.files, version),
    );
    return result.diagnostics.some((d) => d.severity === "error") ? EXIT.errors : EXIT.ok;
  },
};
