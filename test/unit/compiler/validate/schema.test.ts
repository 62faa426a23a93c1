import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AstNode } from "../../../../compiler/ast/nodes.ts";
import { CONFIG_SCHEMA, resolveRef, type SchemaNode } from "../../../../compiler/config-shape/config.ts";
import { analyze } from "../../../../compiler/pipeline.ts";
import { SourceFile } from "../../../../compiler/source/source-file.ts";
import { parseYaml } from "../../../../compiler/syntax/yaml/parse-yaml.ts";
import { checkSchema } from "../../../../compiler/validate/schema-check.ts";

const FIXTURE = new URL("../fixtures/full-surface.yaml", import.meta.url);
const fullSurface = readFileSync(FIXTURE, "utf8");
/** Keys that exclude a key the fixture sets (an error together); global-api-dump.test.ts covers them. */
const EXCLUSIVE = new Set(["global.api.auth.token_file"]);

/** Every key path the schema allows, with `*` for user-chosen keys (source ids, header names). */
function schemaPaths(node: SchemaNode, prefix: string): string[] {
  const schema = resolveRef(node);
  const out: string[] = [];
  const branches = [schema, ...(schema.oneOf ?? []).map(resolveRef)];
  for (const branch of branches) {
    for (const [key, child] of Object.entries(branch.properties ?? {})) {
      out.push(`${prefix}${key}`, ...schemaPaths(child, `${prefix}${key}.`));
    }
    if (typeof branch.additionalProperties === "object" && prefix === "sources.") {
      out.push(...schemaPaths(branch.additionalProperties, `${prefix}*.`));
    }
  }
  return out;
}

/** Key paths present in a document; every source id reads as `*`. */
function documentPaths(node: AstNode | undefined, prefix: string): string[] {
  if (node?.kind !== "map") return [];
  return node.entries.flatMap((entry) => {
    const key = prefix === "sources." ? "*" : entry.key.value;
    return [`${prefix}${key}`, ...documentPaths(entry.value, `${prefix}${key}.`)];
  });
}

describe("config schema", () => {
  it("is plain JSON data (what `helrc schema` prints)", () => {
    expect(JSON.parse(JSON.stringify(CONFIG_SCHEMA))).toEqual(CONFIG_SCHEMA);
  });

  it("accepts a config that uses every key of the reference configuration", () => {
    const parsed = parseYaml(new SourceFile("full.yaml", fullSurface));
    expect(parsed.diagnostics).toEqual([]);
    expect(checkSchema(parsed.document).diagnostics).toEqual([]);
  });

  it("is exercised completely by that config (so the test above is not vacuous)", () => {
    const { root } = parseYaml(new SourceFile("full.yaml", fullSurface)).document;
    const present = new Set(documentPaths(root, ""));
    const missing = [...new Set(schemaPaths(CONFIG_SCHEMA, ""))].filter(
      (p) => !present.has(p) && !p.endsWith(".*") && !EXCLUSIVE.has(p),
    );
    expect(missing).toEqual([]);
  });

  it("compiles that config: no errors, only warnings", () => {
    const result = analyze([{ path: "full.yaml", text: fullSurface }]);
    expect(
      result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`),
    ).toEqual([]);
    expect(result.program?.sources.length).toBeGreaterThan(5);
  });
});
