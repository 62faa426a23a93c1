/**
 * `npm run generated:check`: fails when generated/ is not byte-for-byte what `helrc emit sources/` (the
 * YAML catalog; its `.helr` twins in sources-helr/ compile to the same IR) gives now.
 * `npm run generate` (this script with --write): brings generated/ up to date, removing files helrc no
 * longer emits. Hand-written files in generated/ (README.md) are neither compared nor touched.
 *
 * Exit codes: 0 up to date (or written), 1 generated/ is stale, 2 helrc failed or bad usage.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GENERATED = join(ROOT, "generated");
const HAND_WRITTEN = new Set(["README.md"]);

/** Relative POSIX paths of every file under `dir`, sorted; empty when `dir` does not exist. */
function listFiles(dir, prefix = "") {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Runs `helrc emit sources/ -o <outDir>`; on failure prints helrc's own output and returns false. */
function emitInto(outDir) {
  const helrc = join(ROOT, "bin", "helrc.mjs");
  if (!existsSync(helrc)) {
    console.error("generated:check: bin/helrc.mjs does not exist yet, so generated/ cannot be checked.");
    return false;
  }
  const result = spawnSync(process.execPath, [helrc, "emit", "sources/", "-o", outDir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? "");
    process.stderr.write(result.stderr ?? "");
    const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
    console.error(`generated:check: \`helrc emit sources/\` failed (${why}); generated/ was not checked.`);
    return false;
  }
  return true;
}

/** Compares a fresh emit with generated/: which files differ, are missing, or should not be there. */
function compare(freshDir) {
  const fresh = listFiles(freshDir);
  const current = listFiles(GENERATED).filter((file) => !HAND_WRITTEN.has(file));
  const currentSet = new Set(current);
  const freshSet = new Set(fresh);
  const missing = fresh.filter((file) => !currentSet.has(file));
  const extra = current.filter((file) => !freshSet.has(file));
  const stale = fresh.filter(
    (file) =>
      currentSet.has(file) && !readFileSync(join(freshDir, file)).equals(readFileSync(join(GENERATED, file))),
  );
  return { fresh, stale, missing, extra };
}

function write(freshDir, { stale, missing, extra }) {
  for (const file of [...stale, ...missing]) {
    mkdirSync(dirname(join(GENERATED, file)), { recursive: true });
    copyFileSync(join(freshDir, file), join(GENERATED, file));
  }
  for (const file of extra) rmSync(join(GENERATED, file));
  const changed = stale.length + missing.length + extra.length;
  console.log(
    changed === 0
      ? "generate: generated/ was already up to date."
      : `generate: ${stale.length} updated, ${missing.length} added, ${extra.length} removed in generated/.`,
  );
}

function report({ fresh, stale, missing, extra }) {
  if (stale.length + missing.length + extra.length === 0) {
    console.log(`generated:check: generated/ is up to date (${fresh.length} files).`);
    return 0;
  }
  console.error("generated:check: generated/ does not match `helrc emit sources/`:");
  for (const file of stale) console.error(`  stale    generated/${file}`);
  for (const file of missing) console.error(`  missing  generated/${file}`);
  for (const file of extra) console.error(`  extra    generated/${file}`);
  console.error("Run `npm run generate` and commit the result.");
  return 1;
}

function main(argv) {
  const unknown = argv.filter((arg) => arg !== "--write");
  if (unknown.length > 0) {
    console.error(`usage: node scripts/check-generated.mjs [--write]  (unknown: ${unknown.join(" ")})`);
    return 2;
  }
  const tmp = mkdtempSync(join(tmpdir(), "helr-generated-"));
  try {
    const freshDir = join(tmp, "generated");
    if (!emitInto(freshDir)) return 2;
    const diff = compare(freshDir);
    if (argv.includes("--write")) {
      write(freshDir, diff);
      return 0;
    }
    return report(diff);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
