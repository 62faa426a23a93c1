/**
 * grammar/cst.ts holds the CST types chevrotain derives from the grammar; the lowering is
 * type-checked against them. This test fails when the grammar changed and the file did not.
 * Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/unit/grammar/cst-types.test.ts`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { generateCstDts } from "chevrotain";
import { describe, expect, it } from "vitest";
import { HelrParser } from "../../../grammar/parser.ts";

const PATH = new URL("../../../grammar/cst.ts", import.meta.url);
const HEADER =
  "// @generated from grammar/parser.ts by test/unit/grammar/cst-types.test.ts (UPDATE_GOLDEN=1). DO NOT EDIT.\n";

/** The file as generated, in Biome's style (`(T)[]` → `T[]`, no unused import, one final line break). */
function expected(): string {
  const dts = generateCstDts(new HelrParser().getGAstProductions(), { includeVisitorInterface: false });
  const tidy = dts
    .replace(/\((\w+)\)\[\]/g, "$1[]")
    .replace("ICstVisitor, ", "")
    .trimEnd();
  return `${HEADER}${tidy}\n`;
}

describe("grammar/cst.ts", () => {
  it("matches the grammar", () => {
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(PATH, expected());
    expect(readFileSync(PATH, "utf8")).toBe(expected());
  });
});
