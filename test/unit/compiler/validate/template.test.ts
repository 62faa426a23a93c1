import { describe, expect, it } from "vitest";
import { scanTemplate } from "../../../../compiler/validate/template.ts";
import { expand } from "../../../../runtime/config/env.ts";

describe("scanTemplate", () => {
  it("accepts the placeholder forms the runtime expands", () => {
    const scan = scanTemplate("https://${HOST}/${PATH:-v1}/x?a=${EMPTY:-}&p=$$5&lone=$");
    expect(scan.problems).toEqual([]);
    expect(scan.placeholders.map((p) => p.name)).toEqual(["HOST", "PATH", "EMPTY"]);
  });

  it.each([
    ["${}", "empty placeholder `${}`", 0, 3],
    ["a${FOO", "unclosed placeholder `${FOO`", 1, 5],
    ["${FOO/bar}", "unclosed placeholder `${FOO`", 0, 5],
    ["x${", "unclosed placeholder `${`", 1, 2],
    ["${1A}", "invalid variable name in `${1A}`", 0, 5],
    ["${A:b}", "unsupported placeholder form `${A:b}`", 0, 6],
    ["${A-b}", "unclosed placeholder `${A`", 0, 3],
    ["${A:-${B}}", "nested placeholder in the default of `${A:-${B}`", 0, 9],
  ] as const)("%s is malformed", (text, message, offset, length) => {
    const [problem, ...rest] = scanTemplate(text).problems;
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ kind: "malformed", message, offset, length });
  });

  it("flags `$NAME` without braces, which the runtime keeps literally", () => {
    const scan = scanTemplate("?$top=5&$$skip=1");
    expect(scan.problems.map((p) => [p.kind, p.offset, p.length])).toEqual([["bare", 1, 4]]);
  });

  it("agrees with the runtime: what it calls well-formed expands without leftovers", () => {
    for (const text of ["${A}", "${A:-x}", "$$", "a$b", "${A}${B:-c}$$"]) {
      expect(scanTemplate(text).problems.filter((p) => p.kind === "malformed")).toEqual([]);
      expect(expand(text, { A: "1", B: "2" })).not.toContain("${");
    }
  });
});
