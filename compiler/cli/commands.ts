/**
 * emit and build: read inputs, run the front end, print diagnostics, then write. Also the
 * analysis step `check` shares with them.
 */
import { resolve } from "node:path";
import type { EmitInput } from "../emit/index.ts";
import type { AnalyzeOptions } from "../pipeline.ts";
import { type CliCommand, parseCommandArgs } from "./command.ts";
import { EXIT, UsageError } from "./errors.ts";
import { analyzeProgram, renderText } from "./front-end.ts";
import { collectInputs, readInputs, scriptReader } from "./inputs.ts";
import type { CliIo } from "./io.ts";
import { writeExecutable, writeModules } from "./write-output.ts";

/** Where `helrc build` writes when `-o` is not given. */
export const DEFAULT_BUNDLE = "dist/helr.js";

/** Diagnostics counts and, when there are no errors, the program. */
interface Analysis {
  readonly program: EmitInput | undefined;
  readonly errors: number;
  readonly warnings: number;
}

/** Reads the inputs, runs the front end and prints its diagnostics to stderr. */
export async function analyseInputs(
  inputs: readonly string[],
  io: CliIo,
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const texts = await readInputs(await collectInputs(inputs, io.cwd), io.cwd);
  const result = await analyzeProgram([...texts], scriptReader(io.cwd), options);
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (result.diagnostics.length > 0) io.stderr(renderText(result.diagnostics, result.files));
  if (errors === 0 && !result.program)
    throw new Error("the front end reported no errors but produced no program");
  return {
    program: errors > 0 ? undefined : result.program,
    errors,
    warnings: result.diagnostics.length - errors,
  };
}

/** The program to emit, or undefined (after saying why) when there were errors. */
async function programFor(
  inputs: readonly string[],
  target: string,
  io: CliIo,
  options: AnalyzeOptions,
): Promise<EmitInput | undefined> {
  const analysis = await analyseInputs(inputs, io, options);
  if (analysis.errors > 0 || analysis.warnings > 0)
    io.stderr(`${summary(analysis.errors, analysis.warnings)}\n`);
  if (!analysis.program) io.stderr(`helrc: not writing ${target} because of errors\n`);
  return analysis.program;
}

/** Options emit and build share; both need inputs. */
function parseWriting(name: string, argv: readonly string[]) {
  const { values, positionals } = parseCommandArgs(name, argv, {
    output: { type: "string", short: "o" },
    strict: { type: "boolean" },
  });
  if (positionals.length === 0) throw new UsageError(`${name}: no input files or directories given`);
  return { inputs: positionals, output: values.output, options: { strict: values.strict === true } };
}

/** `helrc emit`: writes the modules; refuses to touch the directory when there are errors. */
export const emitCommand: CliCommand = {
  name: "emit",
  usage: [
    [
      "helrc emit <files|dirs>... -o <dir> [--strict]",
      "write one TypeScript module per source, plus index.ts",
    ],
  ],
  async run(argv, io, version) {
    const { inputs, output: outDir, options } = parseWriting("emit", argv);
    if (outDir === undefined) throw new UsageError("emit: -o/--output <dir> is required");
    const program = await programFor(inputs, outDir, io, options);
    if (!program) return EXIT.errors;
    // Loaded on demand: ts-morph and esbuild cost ~0.5 s of start-up that `check` never needs.
    const { emitProgram } = await import("../emit/index.ts");
    const report = await writeModules(resolve(io.cwd, outDir), emitProgram(program, version));
    const removed = report.removed.length > 0 ? `, removed ${report.removed.length} stale` : "";
    io.stdout(
      `helrc: ${outDir}: ${report.written.length} written, ${report.unchanged.length} unchanged${removed}\n`,
    );
    return EXIT.ok;
  },
};

/** `helrc build`: emits in memory and bundles into one executable file. */
export const buildCommand: CliCommand = {
  name: "build",
  usage: [
    [
      "helrc build <files|dirs>... [-o <file>] [--strict]",
      `bundle into one executable file (default ${DEFAULT_BUNDLE})`,
    ],
  ],
  async run(argv, io, version) {
    const { inputs, output, options } = parseWriting("build", argv);
    const outFile = output ?? DEFAULT_BUNDLE;
    const program = await programFor(inputs, outFile, io, options);
    if (!program) return EXIT.errors;
    const [{ emitProgram }, { bundleModules }] = await Promise.all([
      import("../emit/index.ts"),
      import("../bundle/index.ts"),
    ]);
    const bundle = await bundleModules(emitProgram(program, version), { version });
    for (const warning of bundle.warnings) io.stderr(`helrc: warning: ${warning}\n`);
    await writeExecutable(resolve(io.cwd, outFile), bundle.code);
    io.stdout(`helrc: wrote ${outFile} (${formatSize(bundle.code.length)})\n`);
    return EXIT.ok;
  },
};

/** `1 error, 2 warnings` */
export function summary(errors: number, warnings: number): string {
  return `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
}

/** `4.1 MB`, `812 kB`, `93 B` (decimal units, one decimal place above kilobytes). */
export function formatSize(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} kB`;
  return `${bytes} B`;
}
