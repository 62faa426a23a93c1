/**
 * Parser error messages in the words of the language ("expected `=`, `{` or a value after
 * `auth`") instead of chevrotain's token-type names.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";

/** How a token is named in a message: `` `auth` ``, "a line break", "the end of the file". */
export function describeToken(token: IToken | undefined): string {
  if (token === undefined || token.tokenType === EOF) return "the end of the file";
  if (token.tokenType.name === "Newline") return "a line break";
  const image = token.image.length > 24 ? `${token.image.slice(0, 21)}...` : token.image;
  return `\`${image}\``;
}

function label(type: TokenType): string {
  return type.LABEL ?? type.name;
}

const BEFORE_CLOSE: Readonly<Record<string, string>> = { RCurly: "`}`", RBracket: "`]`" };

/** What a rule expected when none of its alternatives matched. */
const EXPECTED_IN_RULE: Readonly<Record<string, string>> = {
  statement: "`=`, `{` or a value",
  value: "a value (a string, number, `true`, `false`, `null`, `env …`, `file …`, `[…]` or `{…}`)",
  reference: "a variable name or a quoted path",
  key: "a key",
  scalar: "a value",
};

/** The parser's message provider. */
export const PARSER_MESSAGES: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    const close = BEFORE_CLOSE[expected.name];
    if (close !== undefined) {
      if (actual.tokenType === EOF) return `${close === "`}`" ? "`{`" : "`[`"} is never closed`;
      return `expected a line break, \`;\` or ${close} before ${describeToken(actual)}`;
    }
    return `expected ${label(expected)} after ${describeToken(previous)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    const name = firstRedundant.tokenType.name;
    if (name === "RCurly" || name === "RBracket") return `unmatched ${describeToken(firstRedundant)}`;
    return `expected a line break or \`;\` before ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, previous, ruleName }) {
    const expected = EXPECTED_IN_RULE[ruleName] ?? "something else";
    return `expected ${expected} after ${describeToken(previous)} but found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ actual, previous, ruleName }) {
    const expected = EXPECTED_IN_RULE[ruleName] ?? "something else";
    return `expected ${expected} after ${describeToken(previous)} but found ${describeToken(actual[0])}`;
  },
};
