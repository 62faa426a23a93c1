/**
 * Lexer and parser errors → diagnostics that point at what the user can fix: the opening
 * quote of an unclosed string, the `{` that is never closed, the character to quote.
 */
import type { ILexingError, IRecognitionException, IToken } from "chevrotain";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../source/source-file.ts";
import { type Span, span } from "../../source/span.ts";

/** The first lexing error as a diagnostic (later ones are usually consequences). */
export function lexingDiagnostic(error: ILexingError, file: SourceFile): Diagnostic {
  const text = file.text;
  const char = String.fromCodePoint(text.codePointAt(error.offset) ?? 0);
  if (char === '"' || char === "'") {
    const lineEnd = file.offsetAt(file.positionAt(error.offset).line, Number.MAX_SAFE_INTEGER);
    const at = span(file.path, error.offset, Math.max(lineEnd, error.offset + 1));
    return char === '"'
      ? diagnostic("HLR1101", at, "this string is never closed", {
          hint: 'add the closing `"`; inside a string write `\\"` for a quote',
        })
      : diagnostic("HLR1101", at, "this raw string is never closed", {
          hint: "a `'…'` string ends on the same line and cannot contain `'`; use a double-quoted string",
        });
  }
  const at = span(file.path, error.offset, error.offset + char.length);
  return diagnostic("HLR1101", at, `unexpected character ${showChar(char)}`, { hint: charHint(char) });
}

function showChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const visible = code > 0x20 && code !== 0x7f && !(code >= 0x80 && code <= 0xa0) && char.trim() !== "";
  return visible ? `\`${char}\`` : `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

function charHint(char: string): string {
  if (char === "-") return 'a word cannot start with `-`; put the value in double quotes, e.g. `"-x"`';
  if (char === "$") return 'put values with `${VAR}` placeholders in double quotes: `"https://${HOST}/logs"`';
  if (char === "/") return 'put URLs and paths in double quotes: `get "https://example.com/logs"`';
  return "put the value in double quotes";
}

/** The parser's (single) error as a diagnostic. */
export function parsingDiagnostic(
  error: IRecognitionException,
  tokens: readonly IToken[],
  file: SourceFile,
): Diagnostic {
  const token = error.token;
  const atEnd = Number.isNaN(token.startOffset);
  const unclosed = atEnd && /is never closed$/.test(error.message) ? unclosedOpener(tokens) : undefined;
  if (unclosed !== undefined) {
    const close = unclosed.image === "{" ? "}" : "]";
    return diagnostic("HLR1102", tokenSpan(unclosed, file), error.message, {
      hint: `add the \`${close}\` that ends it`,
    });
  }
  const at = atEnd ? span(file.path, file.text.length, file.text.length) : tokenSpan(token, file);
  return diagnostic("HLR1102", at, error.message, { hint: parseHint(error, tokens) });
}

function parseHint(error: IRecognitionException, tokens: readonly IToken[]): string | undefined {
  const token = error.token;
  const index = tokens.indexOf(token);
  const previous = index > 0 ? tokens[index - 1] : undefined;
  const rule = error.context.ruleStack.at(-1);
  if (token.image === "{" && previous?.tokenType.name === "Newline")
    return "put `{` on the same line as the key it belongs to";
  if (/^unmatched/.test(error.message)) return "remove it, or add the opening bracket it closes";
  if (rule === "reference")
    return 'write `token = env OKTA_TOKEN` (a variable name) or `token = file "/run/secrets/okta"`';
  if (rule === "statement") return "write `key = value`, or `key { … }` for a block";
  if (rule === "value") return "write a value after `=`; an empty value is `null`";
  if (/^expected a line break/.test(error.message))
    return "put each statement on its own line, or separate them with `;`";
  return undefined;
}

/** The `{` or `[` left open at the end of the file (the innermost one). */
function unclosedOpener(tokens: readonly IToken[]): IToken | undefined {
  const open: IToken[] = [];
  for (const token of tokens) {
    if (token.image === "{" || token.image === "[") open.push(token);
    else if (token.image === "}" || token.image === "]") open.pop();
  }
  return open.at(-1);
}

function tokenSpan(token: IToken, file: SourceFile): Span {
  const end =
    token.endOffset === undefined || Number.isNaN(token.endOffset) ? token.startOffset : token.endOffset + 1;
  return span(file.path, token.startOffset, end);
}
