/**
 * Writes docs/diagnostics.md from the diagnostic code catalog (compiler/diagnostics/codes.ts).
 *   node scripts/gen-diagnostics-doc.mjs           write the file
 *   node scripts/gen-diagnostics-doc.mjs --check   exit 1 when the committed file is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
const { renderDiagnosticsDoc } = await import("../compiler/diagnostics/doc.ts");
const target = fileURLToPath(new URL("../docs/diagnostics.md", import.meta.url));
const text = renderDiagnosticsDoc();

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {}
  if (current !== text) {
    console.error("docs/diagnostics.md is stale; run `node scripts/gen-diagnostics-doc.mjs`.");
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, text);
  console.log("wrote docs/diagnostics.md");
}
