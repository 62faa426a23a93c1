/**
 * The hooks stage of the pipeline: after the IR, each source's hook script is read, compiled
 * ({@link compileHookScript}) and embedded in its spec; the script's problems become diagnostics
 * at the script's own line and column (a file script) or at their place in the config (an
 * inline one). Reading is the caller's (the CLI reads files; tests pass a map), so this stays pure.
 */
import { posix, win32 } from "node:path";
import type { HooksSpec, SourceSpec } from "../../runtime/spec.ts";
import type { DiagnosticCode } from "../diagnostics/codes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { ProgramIR } from "../ir/build-program.ts";
import { SourceFile } from "../source/source-file.ts";
import { span } from "../source/span.ts";
import { compileHookScript } from "./compile.ts";
import { hookLanguage, inlineScriptName } from "./script-path.ts";
import type { HookSite } from "./sites.ts";
import type { HookProblem, HookProblemKind } from "./types.ts";

/** One HLR code per kind of problem (docs/hooks.md, "Checks at build time"). */
const CODES: Readonly<Record<HookProblemKind, DiagnosticCode>> = {
  syntax: "HLR1201",
  import: "HLR3201",
  "no-hooks": "HLR3202",
  "dynamic-env": "HLR3203",
  "env-not-listed": "HLR3204",
  "misspelled-hook": "HLR3205",
  "not-exported": "HLR3206",
  "unavailable-global": "HLR3207",
  "fetch-without-network": "HLR3208",
};

export interface HookStageInput {
  readonly program: ProgramIR;
  readonly sites: ReadonlyMap<string, HookSite>;
  /** The config files, to place an inline script's problems. */
  readonly configFiles: readonly SourceFile[];
  /** Reads a script by the path {@link scriptDisplayPath} gives; undefined when it cannot be read. */
  readonly read: (path: string) => Promise<string | undefined>;
}

export interface HookStageResult {
  /** The program with every script compiled into its spec (meaningful only without errors). */
  readonly program: ProgramIR;
  readonly diagnostics: readonly Diagnostic[];
  /** The script files read, for rendering their diagnostics. */
  readonly files: readonly SourceFile[];
}

/** Where a source's script file is, as a path relative to what its config path is relative to. */
export function scriptDisplayPath(origin: string, file: string): string {
  if (posix.isAbsolute(file) || win32.isAbsolute(file)) return file;
  return posix.join(posix.dirname(origin.replaceAll("\\", "/")), file);
}

/** Compiles the scripts of every source with hooks. */
export async function compileProgramHooks(input: HookStageInput): Promise<HookStageResult> {
  const diagnostics: Diagnostic[] = [];
  const files: SourceFile[] = [];
  const sources: SourceSpec[] = [];
  const enabled = input.program.global.hooks?.enabled === true;
  for (const spec of input.program.sources) {
    const hooks = spec.hooks;
    const site = input.sites.get(spec.id);
    if (hooks === undefined || site === undefined) {
      sources.push(spec);
      continue;
    }
    if (!enabled)
      diagnostics.push(
        diagnostic(
          "HLR3209",
          site.span,
          `source "${spec.id}" has hooks, but global.hooks.enabled is not true: they are not run`,
          { hint: "set `global.hooks.enabled: true`, or remove the source's `hooks:`" },
        ),
      );
    const compiled = await compileOne(spec, hooks, site, input, enabled);
    diagnostics.push(...compiled.diagnostics);
    if (compiled.file) files.push(compiled.file);
    sources.push(compiled.spec);
  }
  return { program: { global: input.program.global, sources }, diagnostics, files };
}

async function compileOne(
  spec: SourceSpec,
  hooks: HooksSpec,
  site: HookSite,
  input: HookStageInput,
  enabled: boolean,
): Promise<{ spec: SourceSpec; diagnostics: Diagnostic[]; file?: SourceFile }> {
  const global = input.program.global.hooks;
  let text: string;
  let name: string;
  let place: (problem: HookProblem) => { file: string; start: number; end: number };
  let file: SourceFile | undefined;
  if (hooks.file !== undefined) {
    const path = scriptDisplayPath(spec.origin, hooks.file);
    const read = await input.read(path);
    if (read === undefined) {
      const d = diagnostic("HLR4004", site.span, `hook script ${path} does not exist or cannot be read`, {
        hint: "`hooks.script` is under `global.hooks.path` (./hooks by default) unless it is absolute or starts with ./",
      });
      return { spec, diagnostics: [d] };
    }
    text = read;
    name =
      posix.isAbsolute(hooks.file) || win32.isAbsolute(hooks.file) ? posix.basename(hooks.file) : hooks.file;
    file = new SourceFile(path, text);
    place = (p) => span(path, p.start, p.end);
  } else {
    text = hooks.inline ?? "";
    name = inlineScriptName(spec.id);
    const config = input.configFiles.find((f) => f.path === site.span.file);
    place = (p) => {
      const start = inlineOffset(config, site, text, p.start);
      return span(site.span.file, start, start + Math.max(0, p.end - p.start));
    };
  }
  const result = await compileHookScript({
    name,
    text,
    language: hooks.file !== undefined ? hookLanguage(hooks.file) : "js",
    env: hooks.env,
    allowNetwork: global?.allowNetwork === true,
  });
  const diagnostics = result.problems.map((p) =>
    diagnostic(CODES[p.kind], place(p), `${name}: ${p.message}`, { hint: p.hint }),
  );
  const compiled: HooksSpec | undefined =
    result.script !== undefined && global !== undefined
      ? { allowHosts: hooks.allowHosts, script: result.script, settings: global }
      : undefined;
  // A source whose hooks are not enabled runs declaratively: its spec carries no script.
  const next = compiled === undefined || !enabled ? withoutHooks(spec) : { ...spec, hooks: compiled };
  return { spec: next, diagnostics, ...(file ? { file } : {}) };
}

function withoutHooks(spec: SourceSpec): SourceSpec {
  const { hooks: _, ...rest } = spec;
  return rest;
}

/**
 * The config offset of an inline script's offset `at`: inside a one-line value, the value's
 * verbatim start plus `at`; inside a `|` block scalar, the same line of the block and the column
 * after its indentation; otherwise the value's start.
 */
function inlineOffset(config: SourceFile | undefined, site: HookSite, script: string, at: number): number {
  if (site.verbatimStart !== undefined) return site.verbatimStart + at;
  if (config === undefined || config.text[site.span.start] !== "|") return site.span.start;
  const headerLine = config.positionAt(site.span.start).line; // 1-based: the block starts on the next line
  const before = script.slice(0, at);
  const lineInScript = before.split("\n").length - 1;
  const column = at - (before.lastIndexOf("\n") + 1);
  const firstContent = config.lineStarts[headerLine];
  if (firstContent === undefined) return site.span.start;
  const indent = /^[ ]*/.exec(config.text.slice(firstContent, site.span.end))?.[0].length ?? 0;
  const lineStart = config.lineStarts[headerLine + lineInScript];
  return lineStart === undefined ? site.span.start : Math.min(lineStart + indent + column, site.span.end);
}
