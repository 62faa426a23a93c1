import type { SourceFile } from "../source/source-file.ts";
import { type Diagnostic, sortDiagnostics } from "./diagnostic.ts";
import { fileIndex, type Region, regionOf } from "./location.ts";

/** One diagnostic in `helrc check --format json`: the Diagnostic fields, positions resolved. */
export interface JsonDiagnostic {
  readonly code: string;
  readonly severity: Diagnostic["severity"];
  readonly message: string;
  readonly location: Region;
  readonly hint?: string;
  readonly related?: readonly { readonly message: string; readonly location: Region }[];
}

/** The whole `--format json` document. `version` changes only when the shape does. */
export interface JsonReport {
  readonly version: 1;
  readonly diagnostics: readonly JsonDiagnostic[];
  readonly summary: { readonly errors: number; readonly warnings: number };
}

/** Diagnostics as data, sorted like the text output (same order, same content). */
export function jsonReport(diagnostics: readonly Diagnostic[], files: readonly SourceFile[]): JsonReport {
  const index = fileIndex(files);
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === "error").length;
  return {
    version: 1,
    diagnostics: sorted.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      location: regionOf(d.span, index),
      ...(d.hint !== undefined ? { hint: d.hint } : {}),
      ...(d.related !== undefined
        ? { related: d.related.map((r) => ({ message: r.message, location: regionOf(r.span, index) })) }
        : {}),
    })),
    summary: { errors, warnings: sorted.length - errors },
  };
}

/** `jsonReport` printed with two-space indentation and a final newline. */
export function renderJson(diagnostics: readonly Diagnostic[], files: readonly SourceFile[]): string {
  return `${JSON.stringify(jsonReport(diagnostics, files), null, 2)}\n`;
}
