/**
 * The sandbox's limits in the built bundle (issue 20), in one long-running `helr run` per bundle:
 * a `while (true) {}` stopped at timeout_secs, an allocation bomb stopped at memory_limit_mb, a
 * fetch() to a host that is not the source's refused, and fetch() absent without allow_network.
 * Each failure fails that source's poll with an error naming the source, the hook and the script
 * line, writes nothing and commits nothing, leaves the other sources polling, and the same
 * source's next poll (same process, same sandbox rebuilt) works.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, helrc, type Run, runProcess, tempDir } from "../support/bundle.ts";
import { type MockRequest, type MockServer, serveMock } from "../support/mocks/http-mock.ts";

/** Each path answers its own `mode` on its first request, then plain pages of one event each. */
let api: MockServer;
beforeAll(async () => {
  const seen = new Map<string, number>();
  api = await serveMock({ requestId: () => "req" }, (request: MockRequest) => {
    const path = request.url.pathname;
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    const mode = n === 1 ? path.slice(1) : "ok";
    return { status: 200, body: { mode, items: [{ id: `${path.slice(1)}-${n}` }] } };
  });
});
afterAll(async () => {
  await api?.close();
});

/** parseResponse, commitState, and `extra` before them; `line` in messages is the script's. */
const script = (extra: string[]) =>
  [
    ...extra,
    "function parseResponse(ctx, response) {",
    "  return response.body.items.map((e) => ({ ts: '2026-01-01T00:00:00Z', event: e, meta: { id: e.id } }));",
    "}",
    "function commitState(ctx, events) {",
    "  return events.length ? { last: events[events.length - 1].event.id } : null;",
    "}",
  ].join("\n");

const SCRIPTS = {
  // line 3 is the loop
  spin: script([
    "function buildRequest(ctx) { return null; }",
    "function spinIf(body) {",
    "  if (body.mode === 'spin') { while (true) {} }",
    "}",
  ]).replace(
    "function parseResponse(ctx, response) {",
    "function parseResponse(ctx, response) {\n  spinIf(response.body);",
  ),
  // line 3 fills the memory
  bomb: script([
    "var kept = [];",
    "function bombIf(body) {",
    "  if (body.mode === 'bomb') { for (;;) kept.push('x'.repeat(65536) + kept.length); }",
    "}",
  ]).replace(
    "function parseResponse(ctx, response) {",
    "function parseResponse(ctx, response) {\n  bombIf(response.body);",
  ),
  // line 3 fetches a host other than the source's (localhost, the source is 127.0.0.1)
  other: script([
    "var polls = 0;",
    "async function getAuth(ctx) {",
    "  if (++polls === 1) await fetch(ctx.env.OTHER_URL + '/steal', { method: 'POST', body: 'x' });",
    "  return null;",
    "}",
  ]),
  // line 3 calls fetch(), which does not exist without allow_network
  nonet: script([
    "var polls = 0;",
    "async function getAuth(ctx) {",
    "  if (++polls === 1) await fetch(ctx.env.OTHER_URL + '/steal');",
    "  return null;",
    "}",
  ]),
};

function config(ids: readonly (keyof typeof SCRIPTS)[], allowNetwork: boolean): string {
  return [
    "global:",
    `  hooks: { enabled: true, timeout_secs: 1, memory_limit_mb: 32, allow_network: ${allowNetwork} }`,
    "  state: { path: ./state.db }",
    "sources:",
    ...ids.flatMap((id) => [
      `  ${id}:`,
      `    url: ${api.url}/${id}`,
      "    schedule: { interval_secs: 1, jitter_secs: 0 }",
      `    hooks: { script: ./${id}.js }`,
    ]),
  ].join("\n");
}

interface Bundle {
  readonly dir: string;
  readonly build: Run;
  /** `helr run` until every source's path has had `polls` requests, then SIGTERM. */
  runUntil(polls: number): Promise<Run>;
  state(): Promise<Record<string, Record<string, string>>>;
}

async function bundleOf(ids: readonly (keyof typeof SCRIPTS)[], allowNetwork: boolean): Promise<Bundle> {
  const files: Record<string, string> = { "helr.yaml": config(ids, allowNetwork) };
  for (const id of ids) files[`${id}.js`] = SCRIPTS[id];
  const dir = tempDir(files);
  const build = await helrc(["build", join(dir, "helr.yaml"), "-o", join(dir, "helr.js")]);
  const env = cleanEnv({ OTHER_URL: api.url.replace("127.0.0.1", "localhost") });
  const count = (id: string) => api.requests.filter((r) => r.path === `/${id}`).length;
  return {
    dir,
    build,
    async runUntil(polls) {
      return new Promise<Run>((done, fail) => {
        const child = spawn(process.execPath, [join(dir, "helr.js"), "run"], { cwd: dir, env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", fail);
        child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
        void (async () => {
          const deadline = Date.now() + 60_000;
          while (ids.some((id) => count(id) < polls) && Date.now() < deadline) await sleep(100);
          child.kill("SIGTERM");
        })();
      });
    },
    async state() {
      const result = await runProcess(process.execPath, [join(dir, "helr.js"), "state", "export"], {
        cwd: dir,
        env,
      });
      return JSON.parse(result.stdout);
    },
  };
}

/** The `msg` of every JSON log line on stderr. */
const messages = (stderr: string) =>
  stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => String(JSON.parse(line).msg));

const ids = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line).event.id as string);

describe("hook limits in the built bundle, with allow_network", () => {
  let bundle: Bundle;
  let run: Run;
  beforeAll(async () => {
    bundle = await bundleOf(["spin", "bomb", "other"], true);
    expect(bundle.build.stderr).toBe("");
    run = await bundle.runUntil(3);
  }, 120_000);

  it("keeps running through every failure and stops cleanly on SIGTERM", () => {
    expect(run.code, run.stderr).toBe(0);
  });

  it("stops while (true) {} at timeout_secs, naming source, hook and line; the next poll works", () => {
    expect(messages(run.stderr)).toContainEqual(
      expect.stringMatching(
        /^source "spin": hook parseResponse timed out after 1 s \(hooks\.timeout_secs\) \(at \.\/spin\.js:3:\d+\)$/,
      ),
    );
    expect(messages(run.stderr)).toContainEqual(
      expect.stringMatching(/^hook sandbox rebuilt from the compiled script/),
    );
    expect(ids(run.stdout)).not.toContain("spin-1");
    expect(ids(run.stdout)).toContain("spin-2");
    expect(ids(run.stdout)).toContain("spin-3");
  });

  it("stops an allocation bomb at memory_limit_mb; the next poll works", () => {
    expect(messages(run.stderr)).toContainEqual(
      expect.stringMatching(
        /^source "bomb": hook parseResponse ran out of memory \(hooks\.memory_limit_mb: 32\) \(at \.\/bomb\.js:3:\d+\)$/,
      ),
    );
    expect(ids(run.stdout)).not.toContain("bomb-1");
    expect(ids(run.stdout)).toContain("bomb-2");
  });

  it("refuses a fetch() to a host other than the source's, before anything is sent; the next poll works", () => {
    expect(messages(run.stderr)).toContainEqual(
      expect.stringMatching(
        /^source "other": hook getAuth threw TypeError: fetch: host localhost is not allowed for this source \(allowed: 127\.0\.0\.1.*\(at \.\/other\.js:3:\d+\)$/,
      ),
    );
    expect(api.requests.filter((r) => r.path === "/steal")).toEqual([]);
    // getAuth failed before the first request: the source's first request is its second poll's.
    expect(ids(run.stdout)).toContain("other-1");
  });

  it("commits only what successful polls wrote", async () => {
    const state = await bundle.state();
    const written = ids(run.stdout);
    for (const id of ["spin", "bomb", "other"]) {
      const last = state[id]?.last;
      expect(last, id).toBeDefined();
      expect(written).toContain(last);
    }
  });
});

describe("hook limits in the built bundle, without allow_network", () => {
  it("warns at build time (HLR3208), has no fetch() at run time, and the next poll works", async () => {
    const bundle = await bundleOf(["nonet"], false);
    expect(bundle.build.code).toBe(0);
    expect(bundle.build.stderr).toContain("HLR3208");
    const run = await bundle.runUntil(2);
    expect(run.code, run.stderr).toBe(0);
    expect(messages(run.stderr)).toContainEqual(
      expect.stringMatching(
        /^source "nonet": hook getAuth threw ReferenceError: 'fetch' is not defined \(at \.\/nonet\.js:3:\d+\)$/,
      ),
    );
    expect(api.requests.filter((r) => r.path === "/steal")).toEqual([]);
    expect(ids(run.stdout)).toContain("nonet-1");
  }, 120_000);
});
