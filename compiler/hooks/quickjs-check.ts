import type { ScriptLocation } from "../../runtime/hooks/errors.ts";
import { type LocationMapper, SCRIPT_FILE } from "../../runtime/hooks/location.ts";
import { newQuickJS, type QuickJSInstance } from "../../runtime/hooks/quickjs.ts";
import { MAX_STACK_BYTES } from "../../runtime/hooks/vm.ts";
import type { SourceFile } from "../source/source-file.ts";
import { hookProblem } from "./problem.ts";
import type { HookProblem } from "./types.ts";

let shared: Promise<QuickJSInstance> | undefined;

/**
 * Parses the code to embed with QuickJS itself (compile only, nothing runs), so `helrc check`
 * rejects exactly what the sandbox would: syntax esbuild accepts but QuickJS does not, such as a
 * top-level `await` in a script. One QuickJS instance serves every script of a compiler run.
 */
export async function quickjsSyntax(
  file: SourceFile,
  code: string,
  locations: LocationMapper,
): Promise<HookProblem[]> {
  shared ??= newQuickJS(256 * 1024 * 1024);
  const runtime = (await shared).module.newRuntime();
  runtime.setMaxStackSize(MAX_STACK_BYTES);
  const context = runtime.newContext();
  try {
    const result = context.evalCode(code, SCRIPT_FILE, { type: "global", compileOnly: true });
    if (!result.error) {
      result.value.dispose();
      return [];
    }
    const error = context.dump(result.error) as { name?: unknown; message?: unknown; stack?: unknown };
    result.error.dispose();
    const at: ScriptLocation = locations.fromStack(error.stack) ?? { line: 1, column: 1 };
    const start = file.offsetAt(at.line, at.column);
    return [hookProblem(file, "syntax", { start, end: start }, `${String(error.message)} (QuickJS)`)];
  } finally {
    context.dispose();
    runtime.dispose();
  }
}
