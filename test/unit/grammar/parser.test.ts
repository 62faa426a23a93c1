import { describe, expect, it } from "vitest";
import { lex } from "../../../grammar/lexer.ts";
import { parseTokens } from "../../../grammar/parser.ts";
import { errorsOf, positionsOf } from "../compiler/syntax/dsl/support.ts";

function parses(text: string): boolean {
  return parseTokens(lex(text).tokens).errors.length === 0;
}

describe(".helr parser", () => {
  it("accepts the generic statement shapes and forms", () => {
    for (const text of [
      "",
      "\n\n# only a comment\n",
      "a = 1",
      "a: 1",
      "a = 1; b = 2, c = 3",
      "a { }",
      "a {}",
      "a { b = 1 }",
      "a { b = 1; c { d = [] } }",
      "a = { b = 1 }",
      'a = {"x": [1, {"y": null}], "z": true}',
      "a = [\n  1,\n  2,\n]",
      "a = [1\n2]",
      "a = env X",
      'a = file "/x"',
      "a b c",
      "a b { c = 1 }",
      '"quoted key" = 1',
      "true = false",
    ])
      expect(parses(text), text).toBe(true);
  });

  it("rejects statements that run together, a key alone, and an unclosed block", () => {
    for (const text of ["a = 1 b = 2", "a", "a = ", "a {", "a = [1 2]", "}", "a = env", "a\n{ }", "= 1"])
      expect(parses(text), text).toBe(false);
  });

  it("reports the position of the first error", () => {
    expect(positionsOf("a = 1\nb = 2 c = 3")).toEqual(["HLR1102 2:7"]);
    expect(positionsOf("a {\n  b = [1, 2\n}")).toEqual(["HLR1102 3:1"]);
    expect(positionsOf('source x {\n  get "u"\n')).toEqual(["HLR1102 1:10"]);
    expect(positionsOf("a = \n")).toEqual(["HLR1102 1:5"]);
    expect(positionsOf('x {\n  y = "open\n}')).toEqual(["HLR1101 2:7"]);
    expect(positionsOf("x = 1\n  y = @")).toEqual(["HLR1101 2:7"]);
  });

  it("explains errors in the language's words", () => {
    expect(errorsOf("auth bearer\n{ token = env X }")).toContain("put `{` on the same line");
    expect(errorsOf("a = env\n")).toContain("expected a variable name or a quoted path after `env`");
    expect(errorsOf("a\n")).toContain("expected `=`, `{` or a value after `a`");
    expect(errorsOf("a = 1 }")).toContain("unmatched `}`");
  });

  it("stops at a nesting depth instead of overflowing the stack", () => {
    expect(positionsOf(`a = ${"[".repeat(65)}${"]".repeat(65)}`)).toEqual(["HLR1106 1:69"]);
    expect(positionsOf(`a = ${"[".repeat(64)}${"]".repeat(64)}`)).toEqual([]);
    expect(positionsOf("{".repeat(100_000))).toEqual(["HLR1106 1:65"]);
  });
});
