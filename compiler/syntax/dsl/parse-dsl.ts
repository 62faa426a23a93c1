/**
 * The `.helr` front end: text → the same AST the YAML front end builds. Lexing, nesting and
 * parsing errors stop at the first one (one HLR11xx diagnostic, no AST), like YAML's HLR1001;
 * errors found while lowering (duplicate keys, misplaced durations) are all reported.
 */
import type { IToken } from "chevrotain";
import type { FileCstNode } from "../../../grammar/cst.ts";
import { lex } from "../../../grammar/lexer.ts";
import { parseTokens } from "../../../grammar/parser.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../source/source-file.ts";
import { span } from "../../source/span.ts";
import type { ParseResult } from "../yaml/parse-yaml.ts";
import { lowerFile } from "./lower.ts";
import { lexingDiagnostic, parsingDiagnostic } from "./syntax-errors.ts";

/** Deepest nesting of blocks and lists; deeper input is an error, never a stack overflow. */
export const MAX_DEPTH = 64;

/** A `# …` comment: its offsets in the file and its text (with the `#`). */
export interface DslComment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** What {@link parseDsl} returns: the parse result plus the comments, for the formatter. */
export interface DslParseResult extends ParseResult {
  readonly comments: readonly DslComment[];
}

/** True for paths the `.helr` front end reads (everything else is YAML). */
export function isDslPath(path: string): boolean {
  return path.endsWith(".helr");
}

/** Parses `.helr` text into the AST. Never throws on user input. */
export function parseDsl(file: SourceFile): DslParseResult {
  const { tokens, comments: commentTokens, errors } = lex(file.text);
  const comments = commentTokens.map((t) => ({
    start: t.startOffset,
    end: t.startOffset + t.image.length,
    text: t.image,
  }));
  const fail = (d: Diagnostic): DslParseResult => ({
    document: { file: file.path, root: undefined },
    diagnostics: [d],
    comments,
  });
  const firstLexError = errors[0];
  if (firstLexError !== undefined) return fail(lexingDiagnostic(firstLexError, file));
  const deep = tooDeep(tokens);
  if (deep !== undefined) {
    const at = span(file.path, deep.startOffset, deep.startOffset + 1);
    return fail(
      diagnostic("HLR1106", at, `blocks and lists are nested more than ${MAX_DEPTH} levels deep`, {
        hint: "a Helr config needs only a few levels; check for a missing `}` or `]`",
      }),
    );
  }
  const parsed = parseTokens(tokens);
  const firstParseError = parsed.errors[0];
  if (firstParseError !== undefined) return fail(parsingDiagnostic(firstParseError, tokens, file));
  if (parsed.cst === undefined)
    return { document: { file: file.path, root: undefined }, diagnostics: [], comments };
  const { root, diagnostics } = lowerFile(parsed.cst as FileCstNode, file.path);
  return { document: { file: file.path, root }, diagnostics, comments };
}

/** The first `{` or `[` that opens level MAX_DEPTH + 1, if any. */
function tooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const token of tokens) {
    const name = token.tokenType.name;
    if (name === "LCurly" || name === "LBracket") {
      depth += 1;
      if (depth > MAX_DEPTH) return token;
    } else if (name === "RCurly" || name === "RBracket") {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}
