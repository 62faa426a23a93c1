/**
 * The compiler front end: config text in, IR plus diagnostics out. This is the one place
 * that orders the stages. Pure: no fs, env or clock, so the CLI, tests and editors share it.
 *
 *   size (per file) → syntax (per file, a Flicker file lowered to Helr) → schema (per file) → semantic (per unit) → cross-file
 *     → IR → hooks (async: each hook script read, compiled and embedded; {@link analyzeProgram})
 *
 * A file over the size limit is not parsed; a file with a syntax error gets no further checks;
 * a source or `global:` block with a schema error gets no semantic checks; the IR is built only
 * when there are no errors.
 */
import type { ConfigDocument } from "./ast/nodes.ts";
import {
  type Diagnostic,
  hasErrors,
  InternalError,
  sortDiagnostics,
  strictly,
} from "./diagnostics/diagnostic.ts";
import { lowerFlicker } from "./dialect/flicker/index.ts";
import { type HookSite, hookSites } from "./hooks/sites.ts";
import { buildProgram, type ProgramIR } from "./ir/build-program.ts";
import { SourceFile } from "./source/source-file.ts";
import { isDslPath, parseDsl } from "./syntax/dsl/parse-dsl.ts";
import { checkFileSize } from "./syntax/size-limit.ts";
import { parseYaml } from "./syntax/yaml/parse-yaml.ts";
import { checkAcrossFiles, noSources } from "./validate/cross-file.ts";
import { checkSchema } from "./validate/schema-check.ts";
import { checkSemantics } from "./validate/semantic.ts";

export type { ProgramIR } from "./ir/build-program.ts";

/** One config file: the path as the user gave it (used in messages and `origin`) and its text. */
export interface InputFile {
  path: string;
  text: string;
  /**
   * The file's size in bytes, when `text` is only its beginning: a reader may stop at the
   * size limit rather than read a file that cannot be parsed anyway. Default: `text`'s UTF-8 length.
   */
  size?: number;
}

/** What {@link analyze} returns. */
export interface FrontEndResult {
  /** Present exactly when no diagnostic is an error. */
  program?: ProgramIR;
  /** Sorted by file, position, severity, code: deterministic. */
  diagnostics: Diagnostic[];
  /** The files, for rendering diagnostics. */
  files: SourceFile[];
  /** Where each source with hooks names its script (for the hooks stage). */
  hookSites?: ReadonlyMap<string, HookSite>;
}

/** How strictly to judge the input. */
export interface AnalyzeOptions {
  /** Lints (codes marked `lint` in the catalog) become errors, so they stop the build. */
  readonly strict?: boolean;
  /** Largest file parsed, in bytes (default `MAX_CONFIG_BYTES`, 4 MiB); larger ones get HLR1007. */
  readonly maxFileBytes?: number;
}

/**
 * Analyzes config files. User mistakes become diagnostics; only a bug in helrc throws, as
 * an {@link InternalError} whose message is one printable line.
 */
export function analyze(files: InputFile[], options: AnalyzeOptions = {}): FrontEndResult {
  const sourceFiles = files.map((f) => new SourceFile(f.path, f.text));
  const diagnostics: Diagnostic[] = [];
  const parsed = stage("syntax", () =>
    sourceFiles.map((file, i) => {
      const bytes = files[i]?.size ?? Buffer.byteLength(file.text);
      const tooLarge = checkFileSize(file, bytes, options.maxFileBytes);
      // Not parsed at all: parsing is the cost the limit avoids.
      if (tooLarge.length > 0) return { diagnostics: tooLarge };
      return isDslPath(file.path) ? parseDsl(file) : parseYamlDialect(file);
    }),
  );
  const documents: ConfigDocument[] = [];
  for (const result of parsed) {
    diagnostics.push(...result.diagnostics);
    if ("document" in result && !hasErrors(result.diagnostics)) documents.push(result.document);
  }
  stage("validation", () => {
    for (const document of documents) {
      const schema = checkSchema(document);
      diagnostics.push(...schema.diagnostics, ...checkSemantics(document, schema.paths));
    }
  });
  const syntaxOk = documents.length === parsed.length;
  stage("cross-file checks", () => {
    const across = checkAcrossFiles(documents);
    diagnostics.push(...across.diagnostics);
    if (syntaxOk && across.sourceCount === 0 && !hasErrors(diagnostics))
      diagnostics.push(noSources(documents));
  });
  const sorted = sortDiagnostics(options.strict === true ? diagnostics.map(strictly) : diagnostics);
  if (hasErrors(sorted)) return { diagnostics: sorted, files: sourceFiles };
  const program = stage("IR", () => buildProgram(documents));
  return { program, diagnostics: sorted, files: sourceFiles, hookSites: hookSites(documents) };
}

/**
 * {@link analyze}, then the hooks stage: every source's hook script is read with `readScript`
 * (a path relative to what the config paths are relative to; undefined when unreadable),
 * compiled and embedded in its spec. What `helrc check`, `emit` and `build` run.
 */
export async function analyzeProgram(
  files: InputFile[],
  readScript: (path: string) => Promise<string | undefined>,
  options: AnalyzeOptions = {},
): Promise<FrontEndResult> {
  const result = analyze(files, options);
  const { program, hookSites: sites } = result;
  if (program === undefined || sites === undefined || !program.sources.some((s) => s.hooks !== undefined))
    return result;
  // Loaded only when a source has hooks: esbuild, ts-morph and QuickJS check the scripts.
  const { compileProgramHooks } = await import("./hooks/program.ts");
  const hooks = await compileProgramHooks({ program, sites, configFiles: result.files, read: readScript });
  const found = options.strict === true ? hooks.diagnostics.map(strictly) : hooks.diagnostics;
  const diagnostics = sortDiagnostics([...result.diagnostics, ...found]);
  const rendered = [...result.files, ...hooks.files];
  if (hasErrors(diagnostics)) return { diagnostics, files: rendered };
  return { program: hooks.program, diagnostics, files: rendered };
}

/**
 * YAML in Helr's format, or in Flicker's (`api_sources:`), which is rewritten into the Helr AST
 * it means before any check runs (compiler/dialect/flicker/).
 */
function parseYamlDialect(file: SourceFile) {
  const parsed = parseYaml(file);
  if (hasErrors(parsed.diagnostics)) return parsed;
  const lowered = lowerFlicker(parsed.document);
  return { document: lowered.document, diagnostics: [...parsed.diagnostics, ...lowered.diagnostics] };
}

/** Runs a stage, turning any unexpected exception into one InternalError naming the stage. */
function stage<T>(name: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw error instanceof InternalError ? error : new InternalError(name, error);
  }
}
