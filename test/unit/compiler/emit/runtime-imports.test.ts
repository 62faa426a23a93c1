/**
 * runtime/index.ts exports exactly the closed list in compiler/emit/runtime-imports.ts: an
 * export added on one side only fails here.
 */
import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { RUNTIME_TYPES, RUNTIME_VALUES } from "../../../../compiler/emit/runtime-imports.ts";
import * as runtime from "../../../../runtime/index.ts";

const INDEX = new URL("../../../../runtime/index.ts", import.meta.url);

/** Names runtime/index.ts exports, read from its syntax: `export { … }` and `export type { … }` only. */
function declaredExports(): { values: string[]; types: string[]; other: string[] } {
  const file = ts.createSourceFile("index.ts", readFileSync(INDEX, "utf8"), ts.ScriptTarget.Latest);
  const values: string[] = [];
  const types: string[] = [];
  const other: string[] = [];
  for (const statement of file.statements) {
    if (
      ts.isExportDeclaration(statement) &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements)
        (statement.isTypeOnly || element.isTypeOnly ? types : values).push(element.name.text);
    } else if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) {
      other.push(statement.getText(file));
    } else if (ts.canHaveModifiers(statement)) {
      const exported = ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (exported) other.push(statement.getText(file));
    }
  }
  return { values, types, other };
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe("runtime/index.ts against the closed symbol list", () => {
  it("re-exports by name only (no `export *`, no local declarations) so the list stays checkable", () => {
    expect(declaredExports().other).toEqual([]);
  });

  it("exports exactly RUNTIME_VALUES as values", () => {
    expect(sorted(declaredExports().values)).toEqual(sorted(RUNTIME_VALUES));
    // The module as loaded, not only as written: nothing else reaches generated code.
    expect(sorted(Object.keys(runtime))).toEqual(sorted(RUNTIME_VALUES));
  });

  it("exports exactly RUNTIME_TYPES as types", () => {
    expect(sorted(declaredExports().types)).toEqual(sorted(RUNTIME_TYPES));
  });

  it("lists each name once", () => {
    expect(new Set(RUNTIME_VALUES).size).toBe(RUNTIME_VALUES.length);
    expect(new Set(RUNTIME_TYPES).size).toBe(RUNTIME_TYPES.length);
  });
});
