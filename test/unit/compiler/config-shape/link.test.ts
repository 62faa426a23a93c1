/**
 * The config shape is the one definition the schema, the IR's types and HLR3001 come from;
 * these tests check the part no compiler can: that a key the shape calls implemented is really
 * read by the IR builders, and that every other key is reported as not implemented.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AstNode, ConfigDocument } from "../../../../compiler/ast/nodes.ts";
import { toPlainValue } from "../../../../compiler/ast/to-value.ts";
import type { RawConfigFile } from "../../../../compiler/config-shape/types.ts";
import { buildProgramFromRaw } from "../../../../compiler/ir/build-program.ts";
import { SourceFile } from "../../../../compiler/source/source-file.ts";
import { parseYaml } from "../../../../compiler/syntax/yaml/parse-yaml.ts";
import { checkNotImplemented } from "../../../../compiler/validate/not-implemented.ts";
import { checkSchema } from "../../../../compiler/validate/schema-check.ts";
import { configUnits } from "../../../../compiler/validate/units.ts";
import { plainPath, plannedPaths, shapePaths, trackReads } from "../support/shape-paths.ts";

/** Every key of the reference configuration (schema.test.ts checks it sets every key of the shape). */
const FULL_SURFACE = readFileSync(new URL("../fixtures/full-surface.yaml", import.meta.url), "utf8");

/**
 * The IR reads some keys only next to others, which one file cannot show together: a state
 * `url` only for a networked backend, `page_size` only without `limit`.
 */
const VARIANTS = `global:
  state: { backend: postgres, url: "postgres://helr@db/helr" }
sources:
  offset-page-size:
    url: https://api.example.com/events
    pagination: { strategy: offset, offset_param: offset, limit_param: limit, page_size: 50 }
`;

function parse(file: string, text: string): ConfigDocument & { root: AstNode } {
  const { document, diagnostics } = parseYaml(new SourceFile(file, text));
  expect(diagnostics).toEqual([]);
  expect(checkSchema(document).diagnostics).toEqual([]);
  if (document.root === undefined) throw new Error(`${file} is empty`);
  return { ...document, root: document.root };
}

const DOCUMENTS = [parse("full.yaml", FULL_SURFACE), parse("variants.yaml", VARIANTS)];

/** Key paths HLR3001 names, from the file root: `global.metrics`, `sources.*.priority`. */
function reported(document: ConfigDocument): string[] {
  return configUnits(document).flatMap((unit) =>
    checkNotImplemented(unit).map((d) => {
      const key = /^`([^`]+)`/.exec(d.message)?.[1];
      return `${unit.kind === "global" ? "global" : "sources.*"}.${key}`;
    }),
  );
}

/** Every key path the IR builders read while building each document as a program of its own. */
function readByIr(): Set<string> {
  const reads = new Set<string>();
  for (const document of DOCUMENTS) {
    const raw = trackReads(toPlainValue(document.root) as RawConfigFile, reads);
    buildProgramFromRaw([{ file: document.file, raw }]);
  }
  return reads;
}

describe("the config shape", () => {
  it("has every key either read by the IR builders or reported by HLR3001", () => {
    const reads = readByIr();
    const warned = DOCUMENTS.flatMap(reported);
    const covered = (path: string) =>
      reads.has(path) || warned.some((w) => plainPath(path) === w || plainPath(path).startsWith(`${w}.`));
    expect(shapePaths().filter((path) => !covered(path))).toEqual([]);
  });

  it("reports exactly its planned keys, each once at the outermost planned key", () => {
    const warned = DOCUMENTS.flatMap(reported);
    expect([...new Set(warned)].sort()).toEqual(plannedPaths().sort());
  });
});
