/**
 * SIGTERM and SIGINT never wait out a delay (issue 14): during a Retry-After wait, a back-off, or
 * with the circuit open, the built bundle stops at once, exits 0 (a requested shutdown) and leaves
 * its state as the last checkpoint wrote it. The waits here are minutes long, so a bundle that
 * finishes within seconds can only have cut them short.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApi } from "../support/api-server.ts";
import { cleanEnv } from "../support/bundle.ts";
import { waitUntil } from "../support/running-bundle.ts";
import { buildBundle, runBundle } from "./cli-support.ts";

const CONFIG = `global:
  state: { backend: sqlite, path: ./state.db }
sources:
  limited:
    url: "\${API}/429"
    schedule: { interval_secs: 600 }
    resilience: { rate_limit: { max_wait_secs: 600 } }
  backoff:
    url: "\${API}/500"
    schedule: { interval_secs: 600 }
    resilience: { retries: { max_attempts: 5, initial_backoff_secs: 120, max_backoff_secs: 600 } }
  breaker:
    url: "\${API}/500"
    schedule: { interval_secs: 600 }
    resilience:
      retries: { max_attempts: 1 }
      circuit_breaker: { failure_threshold: 1, half_open_timeout_secs: 600 }
`;

let api: ApiServer;
let built: { dir: string; bundle: string };

beforeAll(async () => {
  api = await startApi((req) =>
    req.url === "/429"
      ? { status: 429, headers: { "retry-after": "300" }, json: { error: "slow down" } }
      : { status: 500, json: { error: "down" } },
  );
  built = await buildBundle(CONFIG);
});
afterAll(async () => api?.close());

/** Runs `args`, sends `signal` once the API has seen `requests` requests; resolves with the exit. */
async function stopWhileWaiting(args: string[], signal: NodeJS.Signals, requests: number, waiting: RegExp) {
  const before = api.requests.length;
  const child = spawn(process.execPath, [built.bundle, ...args], {
    cwd: built.dir,
    env: cleanEnv({ API: api.url, HELR_LOG_LEVEL: "info" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  await waitUntil("the API's requests", () => (api.requests.length - before >= requests ? true : undefined));
  // The bundle has logged the wait it is about to sit in.
  await waitUntil(`a log line matching ${waiting}`, () => (waiting.test(stderr) ? true : undefined));
  const signalled = Date.now();
  child.kill(signal);
  const code = await exit;
  return { code, stderr, ms: Date.now() - signalled, requests: api.requests.length - before };
}

describe.each([
  ["a Retry-After wait", "limited", 1, /waiting 300 s as Retry-After asks/],
  ["a back-off", "backoff", 1, /HTTP 500: retrying in \d+ s/],
  // The pass failed on the opened circuit; the bundle waits for its next interval.
  ["an open circuit", "breaker", 1, /circuit opened[^\n]*\n.*returned HTTP 500 after 1 attempt/],
] as const)("during %s", (_what, source, requests, waiting) => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s ends the run at once, exit 0, nothing sent after it",
    async (signal) => {
      const run = await stopWhileWaiting(["run", "--source", source], signal, requests, waiting);
      expect(run.code).toBe(0);
      // The waits are 120 s to 600 s; seconds mean the wait was cut short (docs/cli.md: within 2 s).
      expect(run.ms).toBeLessThan(10_000);
      expect(run.requests).toBe(requests);
      expect(run.stderr).toMatch(/stopping: finishing the current page/);
      // The state store closed cleanly: the next command opens it at once.
      const state = await runBundle(
        built.bundle,
        ["state", "show", source],
        built.dir,
        cleanEnv({ API: api.url }),
      );
      expect(state.code).toBe(0);
    },
  );
});
