/**
 * The tokens of the `.helr` language. Order matters: the lexer tries them in the order of
 * {@link ALL_TOKENS}, and a token with `longer_alt` yields to `Identifier` when the
 * identifier match is longer (`1password-audit` is a word, `10MB` a size, `1day` a word).
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Spaces, tabs and a byte-order mark; skipped. Line breaks are tokens (they end statements). */
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\uFEFF]+/, group: Lexer.SKIPPED });

/** `# …` to the end of the line; kept in a side channel so the formatter can keep comments. */
export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: "comments" });

/** What ends a statement or a list item: a line break, `;` or `,`. */
export const Separator = createToken({ name: "Separator", pattern: Lexer.NA, label: "a line break" });

export const Newline = createToken({
  name: "Newline",
  pattern: /\r\n|\r|\n/,
  categories: [Separator],
  line_breaks: true,
  label: "a line break",
});
export const Semicolon = createToken({
  name: "Semicolon",
  pattern: ";",
  categories: [Separator],
  label: "`;`",
});
export const Comma = createToken({ name: "Comma", pattern: ",", categories: [Separator], label: "`,`" });

export const LCurly = createToken({ name: "LCurly", pattern: "{", label: "`{`" });
export const RCurly = createToken({ name: "RCurly", pattern: "}", label: "`}`" });
export const LBracket = createToken({ name: "LBracket", pattern: "[", label: "`[`" });
export const RBracket = createToken({ name: "RBracket", pattern: "]", label: "`]`" });
export const Equals = createToken({ name: "Equals", pattern: "=", label: "`=`" });
/** `key: value` is accepted as well as `key = value`, so JSON bodies can be pasted. */
export const Colon = createToken({ name: "Colon", pattern: ":", label: "`:`" });

/**
 * A double-quoted string with JSON-style escapes (checked when the value is read, so a bad
 * escape gets its own message). It may span lines.
 */
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\]|\\[\s\S])*"/,
  line_breaks: true,
  label: "a string",
});

/** A single-quoted raw string: no escapes, one line. Handy for regular expressions. */
export const RawString = createToken({ name: "RawString", pattern: /'[^'\r\n]*'/, label: "a string" });

/** A bare word: keys, source ids and simple string values (`info`, `link_header`, `X-Api-Key`). */
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z0-9_][A-Za-z0-9_.-]*/,
  label: "a word",
});

/** `10MB`, `512KB`, `1GiB`, `100B`: decimal (1000) and binary (1024) units. */
export const Size = createToken({
  name: "Size",
  pattern: /\d+(?:\.\d+)?(?:[KMGT]iB|[KMGT]B|B)/,
  longer_alt: Identifier,
  label: "a size",
});

/** `250ms`, `30s`, `5m`, `1h`, `1d`, `1.5h`. */
export const Duration = createToken({
  name: "Duration",
  pattern: /\d+(?:\.\d+)?(?:ms|s|m|h|d)/,
  longer_alt: Identifier,
  label: "a duration",
});

/** A JSON-style number; leading zeros are allowed (`007` is 7, as in YAML). */
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  longer_alt: Identifier,
  label: "a number",
});

const keyword = (name: string, word: string): TokenType =>
  createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `\`${word}\`` });

export const True = keyword("True", "true");
export const False = keyword("False", "false");
export const Null = keyword("Null", "null");
/** `token = env OKTA_TOKEN` → `token_env: OKTA_TOKEN`. */
export const Env = keyword("Env", "env");
/** `token = file "/run/secrets/okta"` → `token_file: /run/secrets/okta`. */
export const File = keyword("File", "file");

/** Every token, in the order the lexer tries them. */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  Newline,
  Semicolon,
  Comma,
  Separator,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  Equals,
  Colon,
  StringLiteral,
  RawString,
  Size,
  Duration,
  NumberLiteral,
  True,
  False,
  Null,
  Env,
  File,
  Identifier,
];
