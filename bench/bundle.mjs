/** Writes helrc inputs under bench/tmp and builds bundles from them with this checkout's helrc. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { measure } from "./proc.mjs";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const TMP = join(ROOT, "bench", "tmp");
const HELRC = join(ROOT, "bin", "helrc.mjs");

/** Writes `text` to `path`, creating its directory. */
export function writeText(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Runs `helrc ARGS` measured; throws with helrc's output when it fails. */
export async function helrc(args) {
  const run = await measure(process.execPath, [HELRC, ...args], { cwd: ROOT });
  if (run.code !== 0) throw new Error(`helrc ${args.join(" ")} failed (exit ${run.code}):\n${run.stderr}`);
  return run;
}

/** Builds `input` (a file or directory) into `output`. */
export async function build(input, output) {
  await helrc(["build", input, "-o", output]);
  return output;
}

/**
 * The collector of the throughput and big-page runs: one Okta-style source, Link-header
 * paging, SQLite state, dedupe on `uuid`, a checkpoint per page (the model varies these), and
 * the default `max_response_bytes` unless `maxResponseBytes` is given.
 * URL, token and state path come from the environment.
 */
export function backfillConfig({
  path = "/api/v1/logs",
  limit = 1000,
  dedupe = "uuid",
  backend = "sqlite",
  checkpoint = "per_page",
  maxResponseBytes,
} = {}) {
  return `# Written by npm run bench.
global:
  log_level: warn
  state:
${backend === "sqlite" ? '    backend: sqlite\n    path: "${HELR_BENCH_STATE}"' : "    backend: memory"}
sources:
  okta:
    url: "\${HELR_BENCH_URL}${path}"
    query_params:
      limit: ${limit}
    auth:
      type: bearer
      token_env: HELR_BENCH_TOKEN
      prefix: SSWS
    pagination:
      strategy: link_header
      rel: next
      max_pages: 1000000
    checkpoint: ${checkpoint}
${maxResponseBytes === undefined ? "" : `    max_response_bytes: ${maxResponseBytes}\n`}    transform:
      timestamp_field: published
      id_field: uuid
${dedupe === "off" ? "" : `    dedupe:\n      id_path: uuid\n${dedupe === "uuid" ? "" : `      capacity: ${dedupe}\n`}`}`;
}
