import type { SourceFile } from "../source/source-file.ts";
import type { Span } from "../source/span.ts";
import { type Diagnostic, sortDiagnostics } from "./diagnostic.ts";

/**
 * Renders diagnostics like tsc: a `path:line:col - error HLR2001: message` header, the
 * source line, `~~~` under the span, then `hint:` and `related:` lines. Output is sorted,
 * so the same diagnostics always render to the same bytes.
 */
export function renderText(diagnostics: readonly Diagnostic[], files: readonly SourceFile[]): string {
  const byPath = new Map(files.map((file) => [file.path, file] as const));
  return sortDiagnostics(diagnostics)
    .map((d) => renderOne(d, byPath))
    .join("");
}

function renderOne(d: Diagnostic, files: ReadonlyMap<string, SourceFile>): string {
  const file = files.get(d.span.file);
  const lines = [`${location(d.span, file)} - ${d.severity} ${d.code}: ${d.message}`];
  if (file !== undefined) lines.push("", ...codeFrame(d.span, file));
  if (d.hint !== undefined) lines.push(`hint: ${d.hint}`);
  for (const related of d.related ?? []) {
    lines.push(`related: ${location(related.span, files.get(related.span.file))} - ${related.message}`);
  }
  return `${lines.map(printable).join("\n")}\n\n`;
}

function location(at: Span, file: SourceFile | undefined): string {
  if (file === undefined) return at.file;
  const { line, column } = file.positionAt(at.start);
  return `${at.file}:${line}:${column}`;
}

/** The first line of the span, with `~` under the spanned columns (at least one). */
function codeFrame(at: Span, file: SourceFile): string[] {
  const start = file.positionAt(at.start);
  const end = file.positionAt(at.end);
  const text = file.lineText(start.line);
  const lastColumn = end.line === start.line ? end.column : text.length + 1;
  const width = Math.max(1, lastColumn - start.column);
  const gutter = String(start.line);
  return [
    `${gutter} ${text}`,
    `${" ".repeat(gutter.length)} ${" ".repeat(start.column - 1)}${"~".repeat(width)}`,
  ];
}

/**
 * Keeps the column layout while making the text safe for a terminal: a tab becomes one
 * space and control or bidi characters (a config can hold escape sequences) become U+FFFD.
 */
function printable(line: string): string {
  let out = "";
  for (const char of line) out += char === "\t" ? " " : isUnsafe(char.charCodeAt(0)) ? "\ufffd" : char;
  return out;
}

/** C0/C1 controls, DEL, line/paragraph separators and bidi overrides. */
function isUnsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}
