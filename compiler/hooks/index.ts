/**
 * helrc's hook-script compiler (docs/hooks.md): what the pipeline calls for each source with
 * `hooks:`. Loads esbuild, ts-morph and QuickJS, so callers import it lazily (`check` only when
 * some source has hooks).
 */
export { type CompiledHook, compileHookScript } from "./compile.ts";
export { hookLanguage, hookScriptPath, inlineScriptName } from "./script-path.ts";
export type { HookProblem, HookProblemKind, HookSourceInput } from "./types.ts";
