import { compareSpans, type Span } from "../source/span.ts";
import { type CodeInfo, DIAGNOSTIC_CODES, type DiagnosticCode, type Severity } from "./codes.ts";

/** A second location that explains a diagnostic, e.g. where a duplicate was first defined. */
export interface RelatedInfo {
  readonly message: string;
  readonly span: Span;
}

/** One problem found in the user's config. JSON and SARIF output carry exactly these fields. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
  readonly related?: readonly RelatedInfo[];
}

/** Optional parts of a diagnostic. */
export interface DiagnosticExtras {
  readonly hint?: string | undefined;
  readonly related?: readonly RelatedInfo[] | undefined;
}

/**
 * Creates a diagnostic whose severity comes from the catalog, so one code never appears
 * as an error in one place and a warning in another.
 */
export function diagnostic(
  code: DiagnosticCode,
  at: Span,
  message: string,
  extras: DiagnosticExtras = {},
): Diagnostic {
  const base = { code, severity: DIAGNOSTIC_CODES[code].severity, message, span: at };
  return {
    ...base,
    ...(extras.hint !== undefined ? { hint: extras.hint } : {}),
    ...(extras.related !== undefined && extras.related.length > 0 ? { related: extras.related } : {}),
  };
}

/** `--strict`: a lint (a catalog code marked `lint`) is reported as an error; others are unchanged. */
export function strictly(d: Diagnostic): Diagnostic {
  const info: CodeInfo = DIAGNOSTIC_CODES[d.code];
  return info.lint === true && d.severity === "warning" ? { ...d, severity: "error" } : d;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Total order used for output: file, position, errors before warnings, code, message. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareSpans(a.span, b.span) ||
    severityRank(a.severity) - severityRank(b.severity) ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message)
  );
}

/** Sorts and drops exact repeats (an aliased YAML node can be reached twice). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...diagnostics].sort(compareDiagnostics)) {
    const key = `${d.code}\0${d.span.file}\0${d.span.start}\0${d.span.end}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function severityRank(severity: Severity): number {
  return severity === "error" ? 0 : 1;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A bug in helrc, never a user mistake. The CLI prints `message` as one line and exits;
 * `code` is always HLR9001 so bug reports are easy to recognise.
 */
export class InternalError extends Error {
  readonly code = "HLR9001";

  constructor(stage: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `error HLR9001: internal compiler error in ${stage}: ${firstLine(detail)} (this is a bug in helrc)`,
      {
        cause,
      },
    );
    this.name = "InternalError";
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? "";
}
