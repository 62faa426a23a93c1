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
 * HELR_CATALOG_CAPTURE where each run's stdout is saved). Before comparing, values that differ
 * between any two runs are masked and counted (timestamps near the run's clock, loopback ports,
 * the mocks' opaque page tokens: see `mask`). Exit code 1 when anything else differs.
 *
 *   node scripts/catalog-diff.mjs --compare-only        # compare the existing captures only
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const BEFORE = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "d697f62";
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
// --compare-only: compare the captures already in /tmp/catalog-diff, without running anything.
const compareOnly = process.argv.includes("--compare-only");
if (compareOnly) process.exit(compare());
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

process.exit(compare());

/**
 * Byte comparison, file by file, after masking; the first differing line of each file is shown.
 * Returns the exit code: 0 when nothing differs.
 */
function compare() {
  const masked = {};
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
    const a = mask(join(WORK, "before-capture", name), masked);
    const b = mask(join(WORK, "after-capture", name), masked);
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
  if (!compareOnly)
    log(
      `test passes: before ${failed.before ? "had failures" : "passed"}, after ${failed.after ? "had failures" : "passed"}`,
    );
  log(
    `masked before comparing (values that differ between any two runs): ${
      Object.entries(masked)
        .map(([what, n]) => `${n} ${what}`)
        .join(", ") || "nothing"
    }`,
  );
  log(`compared ${runs} runs (${lines} NDJSON lines before) and ${states} state exports`);
  if (differing.length === 0)
    log("identical: every run's stdout and every state export, byte for byte once masked");
  else {
    log(`${differing.length} differ:`);
    for (const line of differing) log(line);
  }
  return differing.length === 0 ? 0 : 1;
}

/**
 * The capture at `path` with what differs between any two runs of the same test replaced,
 * counting each kind in `counts`: ISO-8601 timestamps (also URL-encoded) within a day of the
 * capture's own time — wall-clock "now" and values derived from it; the fixtures' fixed times,
 * years away, are still compared —, the mocks' loopback ports, and the mocks' opaque page tokens
 * (base64 JSON carrying issue times): a token is replaced by its decoded JSON with the same
 * masking plus its epoch-millisecond numbers, so two tokens for different positions still differ.
 */
function mask(path, counts) {
  const text = readFileSync(path, "utf8");
  const capturedMs = statSync(path).mtimeMs;
  const DAY = 86_400_000;
  const count = (what) => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  const plain = (t) =>
    t
      .replace(
        /\d{4}-\d{2}-\d{2}T\d{2}(?::|%3A)\d{2}(?::|%3A)\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::|%3A)?\d{2})/gi,
        (iso) => {
          const ms = Date.parse(iso.replace(/%3A/gi, ":"));
          if (!(Math.abs(ms - capturedMs) <= DAY)) return iso;
          count("ISO-8601 timestamps near the run's clock");
          return "<timestamp>";
        },
      )
      .replace(/127\.0\.0\.1(:|%3A)\d+/gi, (_m, colon) => {
        count("127.0.0.1 ports");
        return `127.0.0.1${colon}<port>`;
      });
  return plain(text).replace(/[A-Za-z0-9+/_-]{24,}(?:={1,2}|(?:%3D){1,2})?/g, (token) => {
    const decoded = Buffer.from(token.replace(/%3D/gi, "="), "base64").toString("utf8");
    if (!/^[[{]/.test(decoded)) return token;
    try {
      JSON.parse(decoded);
    } catch {
      return token;
    }
    count("opaque page tokens");
    const epochs = (t) =>
      t.replace(/\b1\d{12}\b/g, (n) => (Math.abs(Number(n) - capturedMs) <= DAY ? "<epoch-ms>" : n));
    return `<token ${epochs(plain(decoded))}>`;
  });
}
