import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_SCHEMA, resolveRef, type SchemaNode } from "../../../../compiler/config-shape/config.ts";
import { DEFAULTS } from "../../../../compiler/ir/defaults.ts";
import { renderKeyReference, replaceKeyReference } from "../../../../compiler/validate/schema-doc.ts";

const doc = readFileSync(new URL("../../../../docs/configuration.md", import.meta.url), "utf8");

/** Every key path under a block, relative to it (`resilience.retries.jitter`). */
function keyPaths(node: SchemaNode, prefix: string): string[] {
  const schema = resolveRef(node);
  return [schema, ...(schema.oneOf ?? [])].flatMap((branch) =>
    Object.entries(resolveRef(branch).properties ?? {}).flatMap(([key, child]) => [
      `${prefix}${key}`,
      ...keyPaths(child, `${prefix}${key}.`),
    ]),
  );
}

describe("docs/configuration.md", () => {
  it("has the current generated key reference (run `node scripts/gen-config-doc.mjs`)", () => {
    expect(replaceKeyReference(doc)).toBe(doc);
  });

  it("lists every key of the schema with its default", () => {
    const reference = renderKeyReference();
    const definitions = CONFIG_SCHEMA.definitions;
    const global = keyPaths(definitions.global as SchemaNode, "");
    const source = keyPaths(definitions.source as SchemaNode, "");
    // Blocks split into their own tables; their tags head those tables.
    const headings = new Set(["auth", "auth.type", "pagination", "pagination.strategy", "resilience"]);
    for (const path of [...global, ...source].filter((p) => !headings.has(p)))
      expect(reference).toContain(`| \`${path}\` |`);
    expect(reference).toContain("### `pagination` with `strategy: time_window`");
    expect(reference).toContain(
      `| \`resilience.retries.jitter\` | number 0–1 | \`${DEFAULTS.retryJitter}\` |`,
    );
  });

  it("shows the one-line yaml-language-server setup; the Flicker mapping is in docs/migrating.md", () => {
    expect(doc).toContain("# yaml-language-server: $schema=./helr.schema.json");
    expect(doc).toContain("helrc schema > helr.schema.json");
    expect(doc).toContain("migrating.md");
    const migrating = readFileSync(new URL("../../../../docs/migrating.md", import.meta.url), "utf8");
    for (const flicker of [
      "results_field",
      "message_field",
      "match_on",
      "exclude_on",
      "page_size",
      "time_filter_format",
    ])
      expect(migrating).toContain(`\`${flicker}`);
  });
});
