import { createHash } from "node:crypto";
import { locationMapper } from "../../runtime/hooks/location.ts";
import type { HookScript } from "../../runtime/hooks/types.ts";
import { SourceFile } from "../source/source-file.ts";
import { analyzeHook, hasExports, importProblems, parseHook } from "./analyze.ts";
import { collectEnvReads, envProblems } from "./env-reads.ts";
import { quickjsSyntax } from "./quickjs-check.ts";
import { EXPORTS_GLOBAL, transformHook } from "./transform.ts";
import type { HookProblem, HookSourceInput } from "./types.ts";

/** A compiled script, or why there is none; warnings may come with a script. */
export interface CompiledHook {
  readonly script?: HookScript;
  readonly problems: readonly HookProblem[];
}

/**
 * Compiles one hook script for embedding, in stages that stop at the first with errors (no
 * analysis of a script that does not parse): syntax (esbuild), module imports, syntax as QuickJS
 * sees it, then the hooks it defines and its `ctx.env` reads. Pure: no file system, no clock.
 */
export async function compileHookScript(input: HookSourceInput): Promise<CompiledHook> {
  const file = new SourceFile(input.name, input.text);
  const tree = parseHook(file, input.language);
  const exported = hasExports(tree);
  const transformed = await transformHook(file, input.language, exported);
  if (!transformed.value) return { problems: sorted(transformed.problems) };
  const imports = importProblems(file, tree);
  if (imports.length > 0) return { problems: sorted(imports) };
  const { code, sourceMap } = transformed.value;
  const syntax = await quickjsSyntax(file, code, locationMapper(sourceMap));
  if (syntax.length > 0) return { problems: syntax };
  const shape = analyzeHook(file, tree, input.allowNetwork === true);
  const reads = collectEnvReads(tree);
  const problems = sorted([...shape.problems, ...envProblems(file, tree, reads, input.env)]);
  if (problems.some((p) => p.severity === "error")) return { problems };
  const env = input.env !== undefined ? [...new Set(input.env)].sort() : [...reads.names.keys()].sort();
  const script: HookScript = {
    name: input.name,
    code,
    sha256: createHash("sha256").update(input.text).digest("hex"),
    hooks: shape.hooks,
    env,
    ...(exported ? { exportsGlobal: EXPORTS_GLOBAL } : {}),
    ...(sourceMap !== undefined ? { sourceMap } : {}),
  };
  return { script, problems };
}

function sorted(problems: readonly HookProblem[]): HookProblem[] {
  return [...problems].sort(
    (a, b) => a.start - b.start || a.kind.localeCompare(b.kind) || a.message.localeCompare(b.message),
  );
}
