#!/usr/bin/env node
/**
 * Behaviour check for refactors (issue 15's rule): the catalog's end-to-end tests
 * (test/e2e/catalog-*.test.ts) run twice, once with bundles built by an earlier commit's compiler
 * from that commit's sources/, once with this checkout's, and every NDJSON output and
 * `state export` they produce is compared byte for byte.
 *
 *   node scripts/catalog-diff.mjs [BEFORE_COMMIT]      # default d697f62
 *
 * The earlier commit is checked out with `git worktree add` into /tmp/before
 * (node_modules linked from this checkout) and its compiler prebuilt (`npm run prepare`); outputs go
 * to /tmp/catalog-diff/{before,after}-capture. The test
 * files and mocks are this checkout's in both runs; only the bundles differ
 * (test/support/catalog.ts: HELR_CATALOG_ROOT chooses the checkout that builds them,
 * HELR_CATALOG_CAPTURE where each run's stdout is saved). Exit code 1 when anything differs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const BEFORE = process.argv[2] ?? "d697f62";
const WORK = "/tmp/catalog-diff";
const TREE = "/tmp/before";
const log = (line) => process.stdout.write(`${line}\n`);

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  return result.status ?? 1;
}

// The "before" checkout, reused when it is already at the commit.
const head = (cwd) => spawnSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8" }).stdout.trim();
const wanted = spawnSync("git", ["rev-parse", BEFORE], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
if (!existsSync(TREE) || head(TREE) !== wanted) {
  sh("git", ["worktree", "remove", "--force", TREE], { cwd: ROOT, stdio: "ignore" });
  rmSync(TREE, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  if (sh("git", ["worktree", "add", "--detach", TREE, wanted], { cwd: ROOT }) !== 0) process.exit(2);
}
if (!existsSync(join(TREE, "node_modules")))
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(TREE, "node_modules"));
if (sh(process.execPath, ["scripts/build-compiler.mjs"], { cwd: TREE }) !== 0) process.exit(2);
if (sh(process.execPath, ["scripts/build-compiler.mjs"], { cwd: ROOT }) !== 0) process.exit(2);

// One pass of the catalog's end-to-end tests per checkout.
const tests = readdirSync(join(ROOT, "test/e2e"))
  .filter((name) => /^catalog-.*\.test\.ts$/.test(name))
  .map((name) => `test/e2e/${name}`);
const passes = { before: TREE, after: ROOT };
const failed = {};
for (const [name, root] of Object.entries(passes)) {
  const dir = join(WORK, name);
  rmSync(`${dir}-capture`, { recursive: true, force: true });
  log(`\n== ${name}: bundles built by ${root}`);
  failed[name] =
    sh("npx", ["vitest", "run", ...tests], {
      cwd: ROOT,
      env: { ...process.env, HELR_CATALOG_ROOT: root, HELR_CATALOG_CAPTURE: `${dir}-capture` },
    }) !== 0;
}

// Byte comparison, file by file; a JSON diff of the first differing line names the fields.
const files = (name) => new Set(readdirSync(join(WORK, `${name}-capture`)).sort());
const before = files("before");
const after = files("after");
const differing = [];
let runs = 0;
let lines = 0;
let states = 0;
for (const name of [...new Set([...before, ...after])].sort()) {
  if (!before.has(name) || !after.has(name)) {
    differing.push(`${name}: only ${before.has(name) ? "before" : "after"}`);
    continue;
  }
  const a = readFileSync(join(WORK, "before-capture", name), "utf8");
  const b = readFileSync(join(WORK, "after-capture", name), "utf8");
  if (name.endsWith(".ndjson")) {
    runs++;
    lines += a.split("\n").filter((line) => line !== "").length;
  } else states++;
  if (a === b) continue;
  const al = a.split("\n");
  const bl = b.split("\n");
  const at = al.findIndex((line, i) => line !== bl[i]);
  differing.push(
    `${name}: line ${at + 1}\n  before: ${al[at]?.slice(0, 400)}\n  after:  ${bl[at]?.slice(0, 400)}`,
  );
}

log(`\nbefore = ${BEFORE} (${wanted.slice(0, 7)}), after = ${head(ROOT).slice(0, 7)} (working tree)`);
log(
  `test passes: before ${failed.before ? "had failures" : "passed"}, after ${failed.after ? "had failures" : "passed"}`,
);
log(`compared ${runs} runs (${lines} NDJSON lines before) and ${states} state exports`);
if (differing.length === 0) log("identical: every run's stdout and every state export, byte for byte");
else {
  log(`${differing.length} differ:`);
  for (const line of differing) log(line);
}
process.exit(differing.length === 0 ? 0 : 1);
