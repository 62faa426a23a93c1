/**
 * Many sources in one idle process: each polls a mock that answers `[]` at once and then waits
 * its 60 s interval. After the first round of polls, the process's CPU time (utime + stime from
 * /proc/<pid>/stat) is sampled over the window; what it burns there is the scheduler's idle cost.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build, TMP, writeText } from "./bundle.mjs";
import { startMock } from "./mock.mjs";
import { procSample } from "./proc.mjs";
import { round } from "./throughput.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function idleConfig(count) {
  const sources = Array.from(
    { length: count },
    (_, i) => `  idle-${String(i).padStart(4, "0")}:
    url: "\${HELR_BENCH_URL}/empty?source=${i}"
    schedule:
      interval_secs: 60
      jitter_secs: 0
`,
  );
  return `# Written by npm run bench.
global:
  log_level: warn
  state:
    backend: sqlite
    path: "\${HELR_BENCH_STATE}"
sources:
${sources.join("")}`;
}

export async function idle(options, log) {
  const dir = join(TMP, "idle");
  const started = Date.now();
  const bundle = await build(
    writeText(join(dir, "helr.yaml"), idleConfig(options.idleSources)),
    join(dir, "helr.js"),
  );
  const buildMs = Date.now() - started;
  const mock = await startMock({ ...options, events: 0 });
  const state = join(dir, "state.db");
  for (const f of [state, `${state}-wal`, `${state}-shm`]) rmSync(f, { force: true });
  const env = { ...process.env, HELR_BENCH_URL: mock.url, HELR_BENCH_STATE: state };
  const child = spawn(process.execPath, [bundle, "run", "--output", join(dir, "out.ndjson")], {
    env,
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const firstRoundMs = await waitForPolls(mock.url, options.idleSources, child);
    await sleep(1000);
    const before = procSample(child.pid);
    const t0 = Date.now();
    await sleep(options.idleSecs * 1000);
    const after = procSample(child.pid);
    const windowMs = Date.now() - t0;
    if (!before || !after) throw new Error(`the idle collector exited early:\n${stderr}`);
    const cpuPercent = ((after.cpuMs - before.cpuMs) / windowMs) * 100;
    const result = {
      sources: options.idleSources,
      buildMs,
      firstRoundMs,
      startupCpuMs: before.cpuMs,
      windowSecs: round(windowMs / 1000),
      cpuPercent: round(cpuPercent, 2),
      rssMb: round(after.rssKb / 1024),
      met: cpuPercent < 2,
    };
    log(
      `  ${result.sources} sources: first round of polls ${firstRoundMs} ms (CPU ${before.cpuMs} ms), ` +
        `then ${result.cpuPercent}% CPU over ${result.windowSecs} s idle, RSS ${result.rssMb} MB`,
    );
    return result;
  } finally {
    child.kill("SIGTERM");
    await exited;
    await mock.stop();
  }
}

/** Waits until the mock has answered every source once; returns how long that took. */
async function waitForPolls(url, count, child) {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the idle collector exited (code ${child.exitCode})`);
    const stats = await (await fetch(`${url}/stats`)).json();
    if (stats.empty >= count) return Date.now() - started;
    if (Date.now() - started > 120_000)
      throw new Error(`only ${stats.empty} of ${count} sources polled in 120 s`);
    await sleep(100);
  }
}
