import { type Message, type TransformFailure, transform } from "esbuild";
import type { SourceFile } from "../source/source-file.ts";
import { hookProblem } from "./problem.ts";
import type { HookProblem } from "./types.ts";

/** The global a script with exports is assigned to (its namespace object); the runtime reads hooks there. */
export const EXPORTS_GLOBAL = "__helrHooks";

/** The JavaScript to evaluate, and how to map its positions back to the author's file. */
export interface Transformed {
  readonly code: string;
  readonly sourceMap?: string;
}

/**
 * Checks the syntax with esbuild and produces the code QuickJS evaluates as a global script:
 * - plain JavaScript without exports is embedded as written (its positions are the author's);
 * - TypeScript has its types stripped;
 * - a script with exports is wrapped so its exports land on {@link EXPORTS_GLOBAL}.
 * The latter two carry a source map back to the file (without its contents, to keep bundles small).
 */
export async function transformHook(
  file: SourceFile,
  language: "js" | "ts",
  hasExports: boolean,
): Promise<{ value?: Transformed; problems: readonly HookProblem[] }> {
  try {
    const result = await transform(file.text, {
      loader: language,
      sourcefile: file.path,
      sourcemap: "external",
      sourcesContent: false,
      target: "es2023",
      logLevel: "silent",
      ...(hasExports ? { format: "iife", globalName: EXPORTS_GLOBAL } : {}),
    });
    if (language === "js" && !hasExports) return { value: { code: file.text }, problems: [] };
    return { value: { code: result.code, sourceMap: result.map }, problems: [] };
  } catch (error) {
    const errors = (error as Partial<TransformFailure>).errors;
    if (!Array.isArray(errors)) throw error;
    return { problems: errors.map((message) => syntaxProblem(file, message)) };
  }
}

/** esbuild's columns count UTF-8 bytes; diagnostics count UTF-16 code units. */
function syntaxProblem(file: SourceFile, message: Message): HookProblem {
  const location = message.location;
  if (!location) return hookProblem(file, "syntax", { start: 0, end: 0 }, message.text);
  const bytes = Buffer.from(location.lineText, "utf8");
  const column = bytes.subarray(0, location.column).toString("utf8").length;
  const length = bytes.subarray(location.column, location.column + location.length).toString("utf8").length;
  const start = file.offsetAt(location.line, column + 1);
  return hookProblem(file, "syntax", { start, end: start + length }, message.text);
}
