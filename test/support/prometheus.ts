/**
 * A real Prometheus server for tests (the Debian package `prometheus`, which CI installs): started
 * on a free loopback port with its own temp config and storage, scraping the given targets every
 * second, queried through its HTTP API, stopped and removed afterwards. Also finds `promtool`.
 * Without the binaries, tests skip with a note, except under CI, where that is a failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";

/** `$HELR_PROMETHEUS` or the Debian package's binary. */
export const PROMETHEUS_BIN = process.env.HELR_PROMETHEUS ?? "/usr/bin/prometheus";
/** `$HELR_PROMTOOL` or the Debian package's binary. */
export const PROMTOOL_BIN = process.env.HELR_PROMTOOL ?? "/usr/bin/promtool";

/** True when running in CI, where a missing Prometheus is a failure, not a skip. */
export function inCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

/** Undefined when `path` can be run; otherwise why not. */
export function missingBinary(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return `${path} not found (apt-get install prometheus)`;
  }
}

/**
 * `describe` for tests that need `binary`: runs `body` when it is installed; otherwise skips with
 * a note, or, under CI, fails with the reason.
 */
export function describeWithBinary(binary: string, title: string, body: () => void): void {
  const problem = missingBinary(binary);
  if (problem !== undefined && inCi()) {
    describe(title, () => {
      it(`needs ${binary}, which is required under CI`, () => {
        throw new Error(problem);
      });
    });
    return;
  }
  if (problem !== undefined) console.warn(`${title}: skipped, ${problem}; under CI this fails`);
  describe.skipIf(problem !== undefined)(title, body);
}

/** One instant-vector sample from the query API. */
export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface PrometheusOptions {
  /** `host:port` targets scraped as job `helr`. */
  readonly targets: readonly string[];
  /** Rule files (absolute paths) to load. */
  readonly ruleFiles?: readonly string[];
}

export interface PrometheusServer {
  readonly url: string;
  /** Evaluates an instant query now. */
  query(expr: string): Promise<Sample[]>;
  /** Resolves once every target was scraped successfully `count` times (rejects after `timeoutMs`). */
  waitForScrapes(count: number, timeoutMs?: number): Promise<void>;
  /** Polls `check` until it returns true (rejects after `timeoutMs` with `what`). */
  waitFor(what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** The rule groups as `/api/v1/rules` reports them. */
  rules(): Promise<{ name: string; health: string; lastError?: string; state?: string }[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus and waits until it is ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), "helr-prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, configText(options));
  // A free port can be taken between our check and Prometheus's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url, child, 30_000);
      return server(url, child, dir);
    } catch (error) {
      await kill(child);
      if (attempt >= 3 || !/address already in use/.test(stderr)) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`prometheus did not start: ${(error as Error).message}\n${stderr}`);
      }
    }
  }
}

function configText(options: PrometheusOptions): string {
  const targets = options.targets.map((t) => JSON.stringify(t)).join(", ");
  const rules = (options.ruleFiles ?? []).map((f) => JSON.stringify(f)).join(", ");
  return [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "  evaluation_interval: 1s",
    `rule_files: [${rules}]`,
    "scrape_configs:",
    "  - job_name: helr",
    `    static_configs: [{ targets: [${targets}] }]`,
    "",
  ].join("\n");
}

function server(url: string, child: ChildProcess, dir: string): PrometheusServer {
  const api = async (path: string): Promise<unknown> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: unknown; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const query = async (expr: string): Promise<Sample[]> => {
    const data = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return {
    url,
    query,
    waitFor,
    waitForScrapes: (count, timeoutMs) =>
      waitFor(
        `${count} successful scrapes`,
        async () => {
          const samples = await query('sum_over_time(up{job="helr"}[1h])');
          return samples.length > 0 && samples.every((s) => s.value >= count);
        },
        timeoutMs,
      ),
    rules: async () => {
      const data = (await api("/api/v1/rules")) as {
        groups: { rules: { name: string; health: string; lastError?: string; state?: string }[] }[];
      };
      return data.groups.flatMap((g) => g.rules);
    },
    stop: async () => {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const forced = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(forced);
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
