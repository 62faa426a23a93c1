/**
 * Diagnostic goldens: each folder holds `input.yaml` or `input.helr` (plus `input-2.yaml`, … for
 * multi-file cases, analyzed in that order) and `expected.txt`, the rendered diagnostics.
 * Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type CodeInfo, DIAGNOSTIC_CODES } from "../../../compiler/diagnostics/codes.ts";
import { renderText } from "../../../compiler/diagnostics/render.ts";
import { type AnalyzeOptions, analyzeProgram } from "../../../compiler/pipeline.ts";

const ROOT = dirname(fileURLToPath(import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function inputOrder(name: string): number {
  return Number(/^input(?:-(\d+))?\.(?:yaml|helr)$/.exec(name)?.[1] ?? 1);
}

async function runCase(name: string): Promise<string> {
  const dir = join(ROOT, name);
  const inputs = readdirSync(dir)
    .filter((file) => /^input(-\d+)?\.(?:yaml|helr)$/.test(file))
    .sort((a, b) => inputOrder(a) - inputOrder(b));
  const optionsFile = join(dir, "options.json");
  const options = existsSync(optionsFile)
    ? (JSON.parse(readFileSync(optionsFile, "utf8")) as AnalyzeOptions)
    : {};
  // Hook scripts named by a case are read from its folder (a missing one is HLR4004).
  const readScript = async (path: string) =>
    existsSync(join(dir, path)) ? readFileSync(join(dir, path), "utf8") : undefined;
  const result = await analyzeProgram(
    inputs.map((file) => ({ path: file, text: readFileSync(join(dir, file), "utf8") })),
    readScript,
    options,
  );
  expect(result.program === undefined).toBe(result.diagnostics.some((d) => d.severity === "error"));
  return renderText(result.diagnostics, result.files);
}

describe("diagnostic goldens", () => {
  it.each(CASES)("%s", async (name) => {
    const actual = await runCase(name);
    const expectedPath = join(ROOT, name, "expected.txt");
    if (UPDATE) writeFileSync(expectedPath, actual);
    expect(existsSync(expectedPath), `${name}/expected.txt is missing; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(actual).toBe(readFileSync(expectedPath, "utf8"));
  });

  it("covers every diagnostic code a config can trigger", () => {
    const seen = new Set(
      CASES.flatMap(
        (name) => readFileSync(join(ROOT, name, "expected.txt"), "utf8").match(/HLR\d{4}/g) ?? [],
      ),
    );
    const reachable = Object.keys(DIAGNOSTIC_CODES).filter((code) => {
      const info: CodeInfo = DIAGNOSTIC_CODES[code as keyof typeof DIAGNOSTIC_CODES];
      return info.stage !== "internal" && info.retired === undefined;
    });
    expect(reachable.filter((code) => !seen.has(code))).toEqual([]);
  });
});
