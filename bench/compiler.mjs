/**
 * `helrc check` and `helrc build` of a generated corpus (default 200 sources, one file each,
 * mixing auth types, pagination, transforms and dedupe), median of a few runs each, next to
 * `helrc --version` (the start-up every helrc command pays: Node plus tsx compiling the compiler).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { helrc, ROOT, TMP, writeText } from "./bundle.mjs";
import { measure, median } from "./proc.mjs";
import { round } from "./throughput.mjs";

const FRONT_END = fileURLToPath(new URL("./front-end-time.ts", import.meta.url));

const AUTHS = [
  "auth: { type: bearer, token_env: TOKEN_{n}, prefix: SSWS }",
  "auth: { type: bearer, token_env: TOKEN_{n} }",
  "auth: { type: api_key, header: X-API-Key, key_env: KEY_{n} }",
  "auth: { type: basic, user_env: USER_{n}, password_env: PASSWORD_{n} }",
  "auth: { type: oauth2, token_url: 'https://${DOMAIN_{n}}/oauth2/v1/token', client_id_env: ID_{n}, client_secret_env: SECRET_{n}, scopes: [logs.read] }",
];

/** Source number `n`, varied by `n` so the corpus covers the common shapes. */
function source(n) {
  const id = `source-${String(n).padStart(3, "0")}`;
  const paged = n % 4 !== 3;
  const lines = [
    `  ${id}:`,
    `    url: "https://\${DOMAIN_${n}}/api/v1/logs/${n}"`,
    `    ${AUTHS[n % AUTHS.length].replaceAll("{n}", String(n))}`,
    `    headers: { Accept: application/json, X-Tenant: "tenant-${n}" }`,
    `    query_params: { limit: "${100 + (n % 10) * 100}", sortOrder: ASCENDING }`,
    `    schedule: { interval_secs: ${30 + (n % 5) * 30}, jitter_secs: ${n % 10} }`,
    `    transform: { timestamp_field: published, id_field: uuid }`,
  ];
  if (paged) lines.push(`    pagination: { strategy: link_header, rel: next, max_pages: ${10 + (n % 50)} }`);
  if (n % 2 === 0) lines.push(`    dedupe: { id_path: uuid, capacity: ${(1 + (n % 4)) * 10000} }`);
  return `${lines.join("\n")}\n`;
}

/** Writes the corpus directory: `global.yaml` plus one file per source. */
export function writeCorpus(count) {
  const dir = join(TMP, "corpus");
  rmSync(dir, { recursive: true, force: true });
  writeText(
    join(dir, "global.yaml"),
    "global:\n  log_level: info\n  state:\n    backend: sqlite\n    path: ./helr-state.db\n",
  );
  for (let n = 0; n < count; n++)
    writeText(join(dir, `source-${String(n).padStart(3, "0")}.yaml`), `sources:\n${source(n)}`);
  return dir;
}

export async function compiler(options, log) {
  const corpus = writeCorpus(options.corpusSources);
  const bundle = join(TMP, "corpus.js");
  const result = { sources: options.corpusSources };
  const commands = [
    ["version", ["--version"]],
    ["check", ["check", corpus]],
    ["build", ["build", corpus, "-o", bundle]],
  ];
  await helrc(["--version"]); // tsx compiles and caches the compiler once
  for (const [name, args] of commands) {
    const walls = [];
    const cpus = [];
    let stderr = "";
    for (let i = 0; i < options.compilerRuns; i++) {
      const run = await helrc(args);
      walls.push(run.wallMs);
      cpus.push(run.cpuMs);
      stderr = run.stderr;
    }
    result[name] = { medianMs: round(median(walls)), cpuMs: round(median(cpus)) };
    const summary = stderr.trim().split("\n").at(-1) ?? "";
    log(
      `  helrc ${name}: median ${result[name].medianMs} ms (CPU ${result[name].cpuMs} ms)${summary ? ` — ${summary}` : ""}`,
    );
  }
  const front = await measure(process.execPath, ["--import", "tsx", FRONT_END, corpus], { cwd: ROOT });
  if (front.code !== 0) throw new Error(`front-end timing failed:\n${front.stderr}`);
  const { firstMs, warmMs } = JSON.parse(front.stdout);
  result.frontEnd = { firstMs: round(firstMs), warmMs: round(warmMs) };
  log(
    `  front end in-process (no start-up): first call ${result.frontEnd.firstMs} ms, then ${result.frontEnd.warmMs} ms`,
  );
  result.checkMet = result.check.medianMs < 1000;
  return { ...result, bundle };
}
