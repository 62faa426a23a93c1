import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isBareWord, quoteString, readString } from "../../../../../compiler/syntax/dsl/strings.ts";
import { lex } from "../../../../../grammar/lexer.ts";

describe(".helr strings", () => {
  it("quotes any string so that it reads back the same", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const quoted = quoteString(text);
        const tokens = lex(quoted);
        expect(tokens.errors).toEqual([]);
        expect(tokens.tokens.map((t) => t.image)).toEqual([quoted]);
        expect(readString(quoted).value).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("writes quotes, backslashes, controls and separators as escapes, on one line", () => {
    expect(quoteString('a"b\\c\nd\te\u2028\u0000\ud800')).toBe('"a\\"b\\\\c\\nd\\te\\u2028\\u0000\\ud800"');
    expect(quoteString("${OKTA_DOMAIN} é 😀")).toBe('"${OKTA_DOMAIN} é 😀"');
  });

  it("accepts bare words only when they read back as the same string", () => {
    for (const word of ["info", "link_header", "X-Api-Key", "okta-audit", "1password", "a.b", "SSWS"])
      expect(isBareWord(word), word).toBe(true);
    for (const word of [
      "",
      "true",
      "null",
      "env",
      "file",
      "1000",
      "30s",
      "10MB",
      "-x",
      "a b",
      "a#b",
      "https://x",
      "é",
    ])
      expect(isBareWord(word), word).toBe(false);
  });

  it("reads raw strings without escapes", () => {
    expect(readString("'a\\d'")).toEqual({ value: "a\\d", verbatim: true });
  });
});
