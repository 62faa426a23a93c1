import type { SourceFile } from "../source/source-file.ts";
import type { HookProblem, HookProblemKind } from "./types.ts";

const SEVERITY: Readonly<Record<HookProblemKind, HookProblem["severity"]>> = {
  syntax: "error",
  import: "error",
  "no-hooks": "error",
  "dynamic-env": "error",
  "env-not-listed": "error",
  "misspelled-hook": "warning",
  "not-exported": "warning",
  "unavailable-global": "warning",
  "fetch-without-network": "warning",
};

/** A problem at `start..end` of the script; its severity comes from its kind, never from the caller. */
export function hookProblem(
  file: SourceFile,
  kind: HookProblemKind,
  at: { readonly start: number; readonly end: number },
  message: string,
  hint?: string,
): HookProblem {
  const { line, column } = file.positionAt(at.start);
  return {
    kind,
    severity: SEVERITY[kind],
    message,
    ...(hint !== undefined ? { hint } : {}),
    start: at.start,
    end: Math.max(at.end, at.start),
    line,
    column,
  };
}
