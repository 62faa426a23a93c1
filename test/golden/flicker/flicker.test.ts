/**
 * Flicker goldens: each folder holds `input.yaml`, a config in Flicker's format (the examples of
 * its "API tailing" page, unchanged), and `expected.yaml`, what `helrc convert --to yaml` makes
 * of it. Each input compiles with no errors, and to exactly the IR of its conversion to YAML and
 * to `.helr`. Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden/flicker`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { convertFlicker } from "../../../compiler/dialect/flicker/convert.ts";
import { analyze } from "../../../compiler/pipeline.ts";

const ROOT = dirname(fileURLToPath(import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** The IR of one config text; the path is the same for every format so `origin` compares equal. */
function irOf(text: string, extension: "yaml" | "helr") {
  const result = analyze([{ path: `config.${extension}`, text }]);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return JSON.parse(
    JSON.stringify(result.program, (key, value) => (key === "file" || key === "origin" ? undefined : value)),
  );
}

describe("Flicker goldens", () => {
  it("has the examples of Flicker's API tailing page", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(6);
  });

  it.each(CASES)("%s converts to the expected Helr YAML", (name) => {
    const input = readFileSync(join(ROOT, name, "input.yaml"), "utf8");
    const converted = convertFlicker("input.yaml", input, "yaml");
    expect(converted?.text, "input.yaml is not recognised as a Flicker config").toBeDefined();
    const expectedPath = join(ROOT, name, "expected.yaml");
    if (UPDATE) writeFileSync(expectedPath, converted?.text ?? "");
    expect(existsSync(expectedPath), `${name}/expected.yaml is missing; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(converted?.text).toBe(readFileSync(expectedPath, "utf8"));
  });

  it.each(CASES)("%s compiles to the same IR as its Helr YAML and .helr conversions", (name) => {
    const input = readFileSync(join(ROOT, name, "input.yaml"), "utf8");
    const flicker = irOf(input, "yaml");
    expect(flicker.sources.length).toBeGreaterThan(0);
    expect(irOf(readFileSync(join(ROOT, name, "expected.yaml"), "utf8"), "yaml")).toEqual(flicker);
    const helr = convertFlicker("input.yaml", input, "helr");
    expect(irOf(helr?.text ?? "", "helr")).toEqual(flicker);
  });
});
