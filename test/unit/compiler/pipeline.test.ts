import { describe, expect, it } from "vitest";
import { analyze } from "../../../compiler/pipeline.ts";

const VALID = "sources:\n  okta-audit:\n    url: https://example.okta.com/api/v1/logs\n";

describe("analyze", () => {
  it("returns a program and no diagnostics for a valid file", () => {
    const result = analyze([{ path: "a.yaml", text: VALID }]);
    expect(result.diagnostics).toEqual([]);
    expect(result.program?.sources).toHaveLength(1);
    expect(result.files.map((f) => f.path)).toEqual(["a.yaml"]);
  });

  it("keeps the program when there are only warnings", () => {
    // A lint: valid, probably not meant (`body` on a GET request is never sent).
    const result = analyze([{ path: "a.yaml", text: `${VALID}    body: { limit: 100 }\n` }]);
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(["warning HLR3015"]);
    expect(result.program).toBeDefined();
  });

  it("has no program when any file has an error", () => {
    const result = analyze([
      { path: "a.yaml", text: VALID },
      { path: "b.yaml", text: "sources:\n  b: { url: 5 }\n" },
    ]);
    expect(result.program).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code)).toEqual(["HLR2002"]);
  });

  it("skips every later check for a file with a syntax error", () => {
    const result = analyze([{ path: "a.yaml", text: "sources:\n  a: { url: [\n  b: { paginaton: 1 }\n" }]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["HLR1001"]);
  });

  it("skips semantic checks only in the source that has schema errors", () => {
    const text = [
      "sources:",
      "  broken: { url: 'https://${A', paginaton: {} }",
      "  fine: { url: 'https://${B', method: get }",
      "",
    ].join("\n");
    const codes = analyze([{ path: "a.yaml", text }]).diagnostics.map((d) => d.code);
    expect(codes).toEqual(["HLR2001", "HLR3005"]);
  });

  it("reports a missing source only when nothing else is wrong", () => {
    expect(
      analyze([{ path: "a.yaml", text: "global: { log_level: info }\n" }]).diagnostics.map((d) => d.code),
    ).toEqual(["HLR4003"]);
    expect(
      analyze([{ path: "a.yaml", text: "global: { log_level: loud }\n" }]).diagnostics.map((d) => d.code),
    ).toEqual(["HLR2004"]);
    expect(analyze([]).diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["HLR4003", "no config files were given"],
    ]);
  });

  it("accepts the global block and the sources in different files", () => {
    const result = analyze([
      { path: "global.yaml", text: "global:\n  log_level: warn\n" },
      { path: "okta.yaml", text: VALID },
    ]);
    expect(result.diagnostics).toEqual([]);
    expect(result.program?.global.logLevel).toBe("warn");
    expect(result.program?.sources[0]?.origin).toBe("okta.yaml");
  });

  it("gives the same result for the same input (deterministic)", () => {
    const text = `${VALID}    paginaton: {}\n    method: GET\n    schedule: { interval_secs: x }\n`;
    const a = analyze([{ path: "a.yaml", text }]);
    const b = analyze([{ path: "a.yaml", text }]);
    expect(JSON.stringify(a.diagnostics)).toBe(JSON.stringify(b.diagnostics));
  });
});
