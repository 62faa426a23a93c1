/**
 * Writes docs/errors.md from the runtime error catalog (runtime/errors/codes.ts).
 *   node scripts/gen-errors-doc.mjs           write the file
 *   node scripts/gen-errors-doc.mjs --check   exit 1 when the committed file is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
const { renderErrorsDoc } = await import("../runtime/errors/doc.ts");
const target = fileURLToPath(new URL("../docs/errors.md", import.meta.url));
const text = renderErrorsDoc();

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {}
  if (current !== text) {
    console.error("docs/errors.md is stale; run `node scripts/gen-errors-doc.mjs`.");
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, text);
  console.log("wrote docs/errors.md");
}
