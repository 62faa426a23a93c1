/**
 * check, emit and build: read inputs, run the front end, print diagnostics, then write.
 */
import { resolve } from "node:path";
import { bundleModules } from "../bundle/index.ts";
import { type EmitInput, emitProgram } from "../emit/index.ts";
import { EXIT } from "./errors.ts";
import { analyze, renderText } from "./front-end.ts";
import { collectInputs, readInputs } from "./inputs.ts";
import type { CliIo } from "./io.ts";
import { writeExecutable, writeModules } from "./write-output.ts";

/** Diagnostics counts and, when there are no errors, the program. */
interface Analysis {
  readonly program: EmitInput | undefined;
  readonly errors: number;
  readonly warnings: number;
}

/** Reads the inputs, runs the front end and prints its diagnostics to stderr. */
async function analyseInputs(inputs: readonly string[], io: CliIo): Promise<Analysis> {
  const texts = await readInputs(await collectInputs(inputs, io.cwd), io.cwd);
  const result = analyze(texts);
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
): Promise<EmitInput | undefined> {
  const analysis = await analyseInputs(inputs, io);
  if (analysis.errors > 0 || analysis.warnings > 0)
    io.stderr(`${summary(analysis.errors, analysis.warnings)}\n`);
  if (!analysis.program) io.stderr(`helrc: not writing ${target} because of errors\n`);
  return analysis.program;
}

/** `helrc check`: diagnostics and a summary line, nothing written. */
export async function runCheck(inputs: readonly string[], io: CliIo): Promise<number> {
  const analysis = await analyseInputs(inputs, io);
  io.stderr(`${summary(analysis.errors, analysis.warnings)}\n`);
  return analysis.errors > 0 ? EXIT.errors : EXIT.ok;
}

/** `helrc emit`: writes the modules; refuses to touch the directory when there are errors. */
export async function runEmit(
  inputs: readonly string[],
  outDir: string,
  io: CliIo,
  version: string,
): Promise<number> {
  const program = await programFor(inputs, outDir, io);
  if (!program) return EXIT.errors;
  const report = await writeModules(resolve(io.cwd, outDir), emitProgram(program, version));
  const removed = report.removed.length > 0 ? `, removed ${report.removed.length} stale` : "";
  io.stdout(
    `helrc: ${outDir}: ${report.written.length} written, ${report.unchanged.length} unchanged${removed}\n`,
  );
  return EXIT.ok;
}

/** `helrc build`: emits in memory and bundles into one executable file. */
export async function runBuild(
  inputs: readonly string[],
  outFile: string,
  io: CliIo,
  version: string,
): Promise<number> {
  const program = await programFor(inputs, outFile, io);
  if (!program) return EXIT.errors;
  const bundle = await bundleModules(emitProgram(program, version), { version });
  for (const warning of bundle.warnings) io.stderr(`helrc: warning: ${warning}\n`);
  await writeExecutable(resolve(io.cwd, outFile), bundle.code);
  io.stdout(`helrc: wrote ${outFile} (${formatSize(bundle.code.length)})\n`);
  return EXIT.ok;
}

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
