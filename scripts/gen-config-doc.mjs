/**
 * Refreshes the generated key reference in docs/configuration.md from the config schema
 * (compiler/config-shape/), between its BEGIN/END markers; the prose around it is hand-written.
 *   node scripts/gen-config-doc.mjs           rewrite the section
 *   node scripts/gen-config-doc.mjs --check   exit 1 when the committed section is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
const { replaceKeyReference } = await import("../compiler/validate/schema-doc.ts");
const target = fileURLToPath(new URL("../docs/configuration.md", import.meta.url));
const current = readFileSync(target, "utf8");
const text = replaceKeyReference(current);

if (process.argv.includes("--check")) {
  if (current !== text) {
    console.error("docs/configuration.md is stale; run `node scripts/gen-config-doc.mjs`.");
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, text);
  console.log("updated the key reference in docs/configuration.md");
}
