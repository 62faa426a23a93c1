import { type Document, isScalar, parseDocument, visit, type YAMLError } from "yaml";
import type { ConfigDocument } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../source/source-file.ts";
import { type Span, span } from "../../source/span.ts";
import { convertDocument } from "./convert.ts";

/** A parsed file: the AST (absent after a syntax error) and what parsing reported. */
export interface ParseResult {
  readonly document: ConfigDocument;
  readonly diagnostics: Diagnostic[];
}

/** Hints for the `yaml` error codes users hit most. */
const HINTS: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: "indent with spaces; YAML does not allow tabs for indentation",
  MULTIPLE_DOCS: "put each document in its own file and pass all the files",
  MISSING_CHAR: "add the missing closing character",
  BAD_INDENT: "check the indentation of this line against the lines above",
  BLOCK_AS_IMPLICIT_KEY:
    "a plain value cannot contain `: `; quote the value, or fix the indentation of the next line",
  MULTILINE_IMPLICIT_KEY: "a key must fit on one line; check the indentation",
  BAD_SCALAR_START: "put the value in quotes",
  BAD_DQ_ESCAPE: "inside double quotes write `\\\\` for a backslash, or use single quotes",
};

/**
 * Parses YAML into the AST. A syntax error yields exactly one HLR1001 diagnostic (the
 * first one; later ones are usually consequences) and no AST, so nothing downstream runs
 * on a half-parsed file. YAML 1.2 core schema: `yes`/`on` are strings, not booleans.
 */
export function parseYaml(file: SourceFile): ParseResult {
  const doc = parseDocument(file.text, {
    prettyErrors: false,
    uniqueKeys: false,
    strict: true,
    version: "1.2",
  });
  const warnings = doc.warnings.map((w) => yamlDiagnostic("HLR1004", w, file));
  const firstError = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (firstError !== undefined) {
    const error = unclosedQuote(doc, firstError, file) ?? yamlDiagnostic("HLR1001", firstError, file);
    return { document: { file: file.path, root: undefined }, diagnostics: [error, ...warnings] };
  }
  const { root, diagnostics } = convertDocument(doc, file.path, file.text);
  return { document: { file: file.path, root }, diagnostics: [...warnings, ...diagnostics] };
}

/** Messages that read better than the library's (which may mention its own API). */
const MESSAGES: Readonly<Record<string, (error: YAMLError) => string>> = {
  MULTIPLE_DOCS: () => "a config file must hold exactly one YAML document, but `---` starts another",
  TAG_RESOLVE_FAILED: (error) =>
    `unknown YAML tag \`${error.message.replace(/^Unresolved tag:\s*/, "")}\`; the value is read as if it had no tag`,
};

function yamlDiagnostic(code: "HLR1001" | "HLR1004", error: YAMLError, file: SourceFile): Diagnostic {
  const at = tidySpan(file, error.pos[0], error.pos[1]);
  const message = MESSAGES[error.code]?.(error) ?? lowerFirst(firstLine(error.message));
  return diagnostic(code, at, message, { hint: HINTS[error.code] });
}

/**
 * The library reports an unclosed quote where the file ends; the mistake is where the
 * string starts. Point at the opening quote and the rest of its line instead.
 */
function unclosedQuote(doc: Document.Parsed, error: YAMLError, file: SourceFile): Diagnostic | undefined {
  if (error.code !== "MISSING_CHAR" || !/quote/i.test(error.message)) return undefined;
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const range = node.range;
      if (!isScalar(node) || range === undefined || range === null) return;
      const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
      if (quoted && range[0] < error.pos[0] && range[1] >= error.pos[0]) start = range[0];
    },
  });
  if (start === undefined) return undefined;
  const quote = file.text[start] ?? '"';
  const line = file.positionAt(start).line;
  const end = file.offsetAt(line, Number.MAX_SAFE_INTEGER);
  const kind = quote === "'" ? "single-quoted" : "double-quoted";
  return diagnostic("HLR1001", span(file.path, start, end), `this ${kind} string is never closed`, {
    hint: `add the closing \`${quote}\` at the end of the value`,
  });
}

/**
 * The library sometimes points at indentation; move a blank span to the first word on
 * its line so the underline sits under something the user can fix.
 */
function tidySpan(file: SourceFile, rawStart: number, rawEnd: number): Span {
  const start = Math.min(rawStart, file.text.length);
  const end = Math.min(Math.max(rawEnd, start), file.text.length);
  const covered = file.text.slice(start, end);
  if (covered.trim() !== "" || covered.includes("\t")) return span(file.path, start, end);
  const lineEnd = file.offsetAt(file.positionAt(start).line, Number.MAX_SAFE_INTEGER);
  const word = /^[ \t]*([^\s:]+)/.exec(file.text.slice(start, lineEnd));
  if (word?.[1] === undefined) return span(file.path, start, end);
  const wordEnd = start + word[0].length;
  return span(file.path, wordEnd - word[1].length, wordEnd);
}

function firstLine(text: string): string {
  return (text.split("\n", 1)[0] ?? "").replace(/[.:]\s*$/, "");
}

/** `Missing closing quote` → `missing closing quote`, but leave `YAML…` alone. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}
