/**
 * The `.helr` lexer: text → tokens, comments and lexing errors. Never throws; a character no
 * token matches becomes an error and lexing goes on after it.
 */
import { type ILexingError, type IToken, Lexer } from "chevrotain";
import { ALL_TOKENS } from "./tokens.ts";

/** What {@link lex} returns. */
export interface LexResult {
  readonly tokens: IToken[];
  /** `# …` comments, in order; not seen by the parser. */
  readonly comments: IToken[];
  readonly errors: ILexingError[];
}

const LEXER = new Lexer([...ALL_TOKENS], {
  positionTracking: "full",
  ensureOptimizations: true,
  errorMessageProvider: {
    buildUnexpectedCharactersMessage: (text, start, length) =>
      `unexpected character ${JSON.stringify(text.slice(start, start + Math.max(1, Math.min(length, 1))))}`,
    buildUnableToPopLexerModeMessage: () => "unbalanced lexer mode",
  },
});

/** Splits `.helr` text into tokens. */
export function lex(text: string): LexResult {
  const result = LEXER.tokenize(text);
  return { tokens: result.tokens, comments: result.groups.comments ?? [], errors: result.errors };
}
