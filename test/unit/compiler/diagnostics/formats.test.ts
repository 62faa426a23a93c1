import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../../../compiler/diagnostics/codes.ts";
import { renderDiagnosticsDoc } from "../../../../compiler/diagnostics/doc.ts";
import { jsonReport } from "../../../../compiler/diagnostics/json.ts";
import { SARIF_SCHEMA, sarifLog } from "../../../../compiler/diagnostics/sarif.ts";
import { analyze } from "../../../../compiler/pipeline.ts";

/** A config with an error (unknown key), a lint (no max_pages on Okta) and a related location. */
const CONFIG = `sources:
  okta-audit:
    url: "https://acme.okta.com/api/v1/logs"
    paginaton: { strategy: link_header }
  ok:
    url: "https://acme.okta.com/api/v1/logs"
    pagination: { strategy: link_header }
    include_regex: ["(é"]
`;
const SECOND = `sources:
  ok:
    url: "https://b.example.com"
`;

function run(strict = false) {
  return analyze(
    [
      { path: "dir with space/a.yaml", text: CONFIG },
      { path: "b.yaml", text: SECOND },
    ],
    { strict },
  );
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The parts of SARIF 2.1.0 that consumers (GitHub code scanning) require, checked by hand. */
function expectValidSarif(log: Json): void {
  expect(log.version).toBe("2.1.0");
  expect(log.$schema).toBe(SARIF_SCHEMA);
  const runs = log.runs as Json[];
  expect(runs).toHaveLength(1);
  const run = runs[0] as Json;
  const driver = (run.tool as Json).driver as Json;
  expect(driver.name).toBe("helrc");
  expect(typeof driver.version).toBe("string");
  const rules = driver.rules as Json[];
  const ids = rules.map((rule) => rule.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const rule of rules) {
    expect(rule.id).toMatch(/^HLR\d{4}$/);
    expect(typeof (rule.shortDescription as Json).text).toBe("string");
    expect(["error", "warning", "note", "none"]).toContain((rule.defaultConfiguration as Json).level);
  }
  for (const result of run.results as Json[]) {
    expect(ids[result.ruleIndex as number]).toBe(result.ruleId);
    expect(["error", "warning", "note", "none"]).toContain(result.level);
    expect(typeof (result.message as Json).text).toBe("string");
    const locations = [
      ...(result.locations as Json[]),
      ...((result.relatedLocations as Json[] | undefined) ?? []),
    ];
    for (const location of locations) {
      const physical = location.physicalLocation as Json;
      expect(isObject(physical)).toBe(true);
      const uri = (physical.artifactLocation as Json).uri as string;
      expect(() => new URL(uri, "file:///repo/")).not.toThrow();
      expect(uri).not.toMatch(/\s|\\/);
      const region = physical.region as Record<string, number>;
      for (const key of ["startLine", "startColumn", "endLine", "endColumn"]) {
        expect(Number.isInteger(region[key]) && (region[key] ?? 0) >= 1, key).toBe(true);
      }
      expect(
        (region.endLine ?? 0) > (region.startLine ?? 0) ||
          (region.endLine === region.startLine && (region.endColumn ?? 0) >= (region.startColumn ?? 0)),
      ).toBe(true);
    }
  }
}

describe("SARIF output", () => {
  it("has the SARIF 2.1.0 structure, one rule per catalog code", () => {
    const result = run();
    const log = JSON.parse(JSON.stringify(sarifLog(result.diagnostics, result.files, "0.1.0"))) as Json;
    expectValidSarif(log);
    const rules = sarifLog(result.diagnostics, result.files, "0.1.0").runs[0]?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(Object.keys(DIAGNOSTIC_CODES));
  });

  it("locates results with 1-based lines and columns, end exclusive, paths as URIs", () => {
    const result = run();
    const log = sarifLog(result.diagnostics, result.files, "0.1.0");
    const unknown = log.runs[0]?.results.find((r) => r.ruleId === "HLR2001");
    expect(unknown?.level).toBe("error");
    expect(unknown?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: "dir%20with%20space/a.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 14 },
    });
    const duplicate = log.runs[0]?.results.find((r) => r.ruleId === "HLR4001");
    expect(duplicate?.relatedLocations?.[0]?.physicalLocation.artifactLocation.uri).toBe(
      "dir%20with%20space/a.yaml",
    );
  });

  it("reports a lint as a warning, and as an error under --strict", () => {
    const level = (strict: boolean) => {
      const result = run(strict);
      return sarifLog(result.diagnostics, result.files, "0.1.0").runs[0]?.results.find(
        (r) => r.ruleId === "HLR3104",
      )?.level;
    };
    expect(level(false)).toBe("warning");
    expect(level(true)).toBe("error");
  });
});

describe("JSON output", () => {
  it("carries the text output's data: code, severity, message, region, hint, related", () => {
    const result = run();
    const report = jsonReport(result.diagnostics, result.files);
    expect(report.summary).toEqual({
      errors: report.diagnostics.filter((d) => d.severity === "error").length,
      warnings: report.diagnostics.filter((d) => d.severity === "warning").length,
    });
    expect(report.diagnostics.find((d) => d.code === "HLR2001")).toEqual({
      code: "HLR2001",
      severity: "error",
      message: "unknown key `paginaton` in `sources.okta-audit`",
      location: { file: "dir with space/a.yaml", startLine: 4, startColumn: 5, endLine: 4, endColumn: 14 },
      hint: "did you mean `pagination`?",
    });
    expect(report.diagnostics.find((d) => d.code === "HLR3012")?.location).toMatchObject({ startLine: 8 });
  });
});

describe("docs/diagnostics.md", () => {
  it("is up to date with the code catalog (run `node scripts/gen-diagnostics-doc.mjs`)", () => {
    const committed = readFileSync(new URL("../../../../docs/diagnostics.md", import.meta.url), "utf8");
    expect(committed).toBe(renderDiagnosticsDoc());
  });

  it("has an anchor, the title and the example of every code", () => {
    const doc = renderDiagnosticsDoc();
    for (const [code, info] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(doc).toContain(`<a id="${code.toLowerCase()}"></a>\n### ${code}: ${info.title}`);
      expect(doc).toContain(info.example);
    }
  });
});
