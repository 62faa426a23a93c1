/**
 * String literals of `.helr`: reading `"…"` (JSON escapes plus `\u{…}`) and `'…'` (raw), and
 * writing any string back so that it reads as exactly the same value.
 */
import { lex } from "../../../grammar/lexer.ts";

/** A bad escape inside a string, as offsets relative to the literal's first character. */
export interface EscapeProblem {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

/** A string literal's value, and where it appears verbatim in the file (no escapes used). */
export interface StringRead {
  readonly value: string;
  readonly verbatim: boolean;
  readonly problem?: EscapeProblem;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Reads the image of a `"…"` or `'…'` token. */
export function readString(image: string): StringRead {
  const inner = image.slice(1, -1);
  if (image.startsWith("'") || !inner.includes("\\")) return { value: inner, verbatim: true };
  let value = "";
  let i = 0;
  while (i < inner.length) {
    const slash = inner.indexOf("\\", i);
    if (slash === -1) {
      value += inner.slice(i);
      break;
    }
    value += inner.slice(i, slash);
    const read = readEscape(inner, slash);
    if ("message" in read) {
      return { value, verbatim: false, problem: { ...read, offset: read.offset + 1 } };
    }
    value += read.text;
    i = read.next;
  }
  return { value, verbatim: false };
}

function readEscape(inner: string, at: number): { text: string; next: number } | EscapeProblem {
  const letter = inner[at + 1] ?? "";
  const simple = SIMPLE_ESCAPES[letter];
  if (simple !== undefined) return { text: simple, next: at + 2 };
  if (letter === "u") {
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(inner.slice(at + 2));
    if (braced?.[1] !== undefined) {
      const code = Number.parseInt(braced[1], 16);
      if (code <= 0x10ffff) return { text: String.fromCodePoint(code), next: at + 2 + braced[0].length };
      return { offset: at, length: 2 + braced[0].length, message: "`\\u{…}` is beyond U+10FFFF" };
    }
    const hex = /^[0-9A-Fa-f]{4}/.exec(inner.slice(at + 2));
    if (hex !== null) return { text: String.fromCharCode(Number.parseInt(hex[0], 16)), next: at + 6 };
    return { offset: at, length: 2, message: "`\\u` must be followed by four hex digits or `{hex}`" };
  }
  const shown = letter === "\n" || letter === "\r" ? "a line break" : `\`\\${letter}\``;
  return {
    offset: at,
    length: 1 + Math.max(1, letter.length),
    message: `unknown escape ${shown} in a string`,
  };
}

/** Characters written as escapes: controls, line/paragraph separators, BOM and lone surrogates. */
const NEEDS_ESCAPE = new RegExp(
  [
    '["\\\\\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\ufeff]',
    "[\\ud800-\\udbff](?![\\udc00-\\udfff])",
    "(?<![\\ud800-\\udbff])[\\udc00-\\udfff]",
  ].join("|"),
  "g",
);

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** Writes `text` as a double-quoted literal on one line. */
export function quoteString(text: string): string {
  const body = text.replace(
    NEEDS_ESCAPE,
    (ch) => SHORT_ESCAPES[ch] ?? `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
  return `"${body}"`;
}

/** True when `text` reads back as the same string without quotes: one plain word, not a keyword or number. */
export function isBareWord(text: string): boolean {
  if (text.length === 0 || text.length > 200) return false;
  const { tokens, comments, errors } = lex(text);
  const only = tokens[0];
  return (
    tokens.length === 1 &&
    comments.length === 0 &&
    errors.length === 0 &&
    only?.tokenType.name === "Identifier" &&
    only.image === text
  );
}

/** Writes a string value or key: bare when it can be, quoted otherwise. */
export function writeWord(text: string): string {
  return isBareWord(text) ? text : quoteString(text);
}
