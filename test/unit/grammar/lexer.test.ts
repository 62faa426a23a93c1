import { describe, expect, it } from "vitest";
import { lex } from "../../../grammar/lexer.ts";

function kinds(text: string): string[] {
  return lex(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe(".helr lexer", () => {
  it("tells numbers, durations, sizes and words apart by the longest match", () => {
    expect(kinds("1000 -2.5 1e3 30s 250ms 5m 1h 1d 1.5h 10MB 512KB 1GiB 100B")).toEqual([
      "NumberLiteral:1000",
      "NumberLiteral:-2.5",
      "NumberLiteral:1e3",
      "Duration:30s",
      "Duration:250ms",
      "Duration:5m",
      "Duration:1h",
      "Duration:1d",
      "Duration:1.5h",
      "Size:10MB",
      "Size:512KB",
      "Size:1GiB",
      "Size:100B",
    ]);
    expect(kinds("1password-audit 1day 10mb 1.2.3 0.0.0.0 okta-audit X-Api-Key a.b_c")).toEqual([
      "Identifier:1password-audit",
      "Identifier:1day",
      "Identifier:10mb",
      "Identifier:1.2.3",
      "Identifier:0.0.0.0",
      "Identifier:okta-audit",
      "Identifier:X-Api-Key",
      "Identifier:a.b_c",
    ]);
  });

  it("reads keywords only as whole words", () => {
    expect(kinds("true false null env file truely environment file_path")).toEqual([
      "True:true",
      "False:false",
      "Null:null",
      "Env:env",
      "File:file",
      "Identifier:truely",
      "Identifier:environment",
      "Identifier:file_path",
    ]);
  });

  it("keeps line breaks and separators, skips blanks, and puts comments aside", () => {
    const result = lex('a = "x # not a comment" # a comment\r\nb;c,\rd\n');
    expect(result.tokens.map((t) => t.tokenType.name)).toEqual([
      "Identifier",
      "Equals",
      "StringLiteral",
      "Newline",
      "Identifier",
      "Semicolon",
      "Identifier",
      "Comma",
      "Newline",
      "Identifier",
      "Newline",
    ]);
    expect(result.comments.map((c) => [c.image, c.startOffset])).toEqual([["# a comment", 24]]);
  });

  it("reads strings with escapes and line breaks, and raw strings", () => {
    expect(kinds('"a\\"b" "multi\nline" \'raw \\d\'')).toEqual([
      'StringLiteral:"a\\"b"',
      'StringLiteral:"multi\nline"',
      "RawString:'raw \\d'",
    ]);
  });

  it("reports characters no token matches, with their offset, and goes on", () => {
    const result = lex("url = https://x\nb = 1");
    expect(result.errors[0]?.offset).toBe(12);
    expect(result.tokens.map((t) => t.image)).toContain("b");
  });

  it("records start and end offsets of every token", () => {
    const [token] = lex("  okta-audit").tokens;
    expect([token?.startOffset, token?.endOffset]).toEqual([2, 11]);
  });
});
