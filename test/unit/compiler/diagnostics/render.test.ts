import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../../../compiler/diagnostics/codes.ts";
import { diagnostic, InternalError } from "../../../../compiler/diagnostics/diagnostic.ts";
import { renderText } from "../../../../compiler/diagnostics/render.ts";
import { SourceFile } from "../../../../compiler/source/source-file.ts";
import { span } from "../../../../compiler/source/span.ts";

const file = new SourceFile("cfg.yaml", "sources:\n  okta:\n    paginaton: {}\n");

describe("renderText", () => {
  it("prints a tsc-like header, the line, an underline and the hint", () => {
    const start = file.text.indexOf("paginaton");
    const d = diagnostic("HLR2001", span("cfg.yaml", start, start + 9), "unknown key `paginaton`", {
      hint: "did you mean `pagination`?",
    });
    expect(renderText([d], [file])).toBe(
      [
        "cfg.yaml:3:5 - error HLR2001: unknown key `paginaton`",
        "",
        "3     paginaton: {}",
        "      ~~~~~~~~~",
        "hint: did you mean `pagination`?",
        "",
        "",
      ].join("\n"),
    );
  });

  it("sorts by file and position, errors before warnings, whatever the input order", () => {
    const other = new SourceFile("b.yaml", "x: 1\n");
    const diags = [
      diagnostic("HLR3001", span("cfg.yaml", 0, 7), "w"),
      diagnostic("HLR2001", span("b.yaml", 0, 1), "e2"),
      diagnostic("HLR2002", span("cfg.yaml", 0, 7), "e1"),
    ];
    const headers = (text: string) => text.split("\n").filter((line) => / - (error|warning) /.test(line));
    expect(headers(renderText(diags, [file, other]))).toEqual([
      "b.yaml:1:1 - error HLR2001: e2",
      "cfg.yaml:1:1 - error HLR2002: e1",
      "cfg.yaml:1:1 - warning HLR3001: w",
    ]);
    expect(renderText([...diags].reverse(), [file, other])).toBe(renderText(diags, [file, other]));
  });

  it("underlines at least one column, and only the first line of a multi-line span", () => {
    const text = renderText([diagnostic("HLR1001", span("cfg.yaml", 8, 8), "empty")], [file]);
    expect(text).toContain("1 sources:\n          ~\n");
    const multi = renderText([diagnostic("HLR1001", span("cfg.yaml", 11, 30), "multi")], [file]);
    expect(multi).toContain("2   okta:\n    ~~~~~\n");
  });

  it("prints related locations", () => {
    const d = diagnostic("HLR4001", span("cfg.yaml", 11, 15), "dup", {
      related: [{ message: "first here", span: span("cfg.yaml", 0, 7) }],
    });
    expect(renderText([d], [file])).toContain("related: cfg.yaml:1:1 - first here\n");
  });

  it("neutralises terminal control characters from the config", () => {
    const evil = new SourceFile("e.yaml", "a: \u001b[31mred\n");
    const out = renderText([diagnostic("HLR2001", span("e.yaml", 0, 1), "key \u001b[2J")], [evil]);
    expect(out).not.toContain("\u001b");
  });
});

describe("diagnostic catalog", () => {
  it("groups codes by stage through their first digit", () => {
    const digit = { syntax: "1", schema: "2", semantic: "3", "cross-file": "4", internal: "9" };
    for (const [code, info] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(code.slice(3, 4), code).toBe(digit[info.stage]);
      expect(info.title.length, code).toBeGreaterThan(0);
      expect(info.example.length, code).toBeGreaterThan(0);
    }
  });

  it("takes a diagnostic's severity from the catalog", () => {
    expect(diagnostic("HLR3001", span("a", 0, 0), "m").severity).toBe("warning");
    expect(diagnostic("HLR3002", span("a", 0, 0), "m").severity).toBe("error");
  });

  it("formats internal errors as one line", () => {
    const error = new InternalError("IR", new Error("boom\nstack stuff"));
    expect(error.message).toBe("error HLR9001: internal compiler error in IR: boom (this is a bug in helrc)");
  });
});
