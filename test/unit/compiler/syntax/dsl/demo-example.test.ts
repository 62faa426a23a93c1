/**
 * docs/examples/demo.helr is sources/demo.yaml in `.helr`: both must compile to the same IR,
 * and the example must be in canonical form (what `helrc fmt` prints).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze, type ProgramIR } from "../../../../../compiler/pipeline.ts";
import { formatHelr } from "../../../../../compiler/syntax/dsl/format.ts";

const read = (path: string) => readFileSync(new URL(`../../../../../${path}`, import.meta.url), "utf8");

function programOf(path: string): ProgramIR {
  const result = analyze([{ path, text: read(path) }]);
  expect(result.diagnostics).toEqual([]);
  if (result.program === undefined) throw new Error(`${path} has no program`);
  return { ...result.program, sources: result.program.sources.map((s) => ({ ...s, origin: "(file)" })) };
}

describe("docs/examples/demo.helr", () => {
  it("compiles to the same IR as sources/demo.yaml", () => {
    expect(programOf("docs/examples/demo.helr")).toEqual(programOf("sources/demo.yaml"));
  });

  it("is formatted", () => {
    const text = read("docs/examples/demo.helr");
    expect(formatHelr("demo.helr", text).text).toBe(text);
  });
});
