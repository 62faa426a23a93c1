import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type App, defineSource } from "../../../runtime/app.ts";
import { bearerAuth } from "../../../runtime/auth/bearer.ts";
import { parseTestOptions } from "../../../runtime/cli/run-options.ts";
import { dryRunStore, testCommand } from "../../../runtime/cli/test.ts";
import { linkHeaderPagination } from "../../../runtime/paginate/link-header-paginator.ts";
import type { GlobalSpec } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { STOP, sourceSpec, transform } from "../../support/source-spec.ts";

const TOKEN = "test-cmd-token-123456";
let server: Server | undefined;
afterEach(async () => {
  delete process.env.HELR_TEST_TOKEN;
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((r) => s.close(() => r()));
});

const events = [1, 2, 3].map((n) => ({ uuid: `u${n}`, published: `2024-05-21T13:0${n}:00.000Z` }));

/** Pages of 2 from `after`, Okta-style next links, then an empty polling page. */
async function api(): Promise<string> {
  const s = createServer((req, res) => {
    if (req.headers.authorization !== `SSWS ${TOKEN}`) {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end('{"errorSummary":"Invalid token provided"}');
      return;
    }
    const after = Number(new URL(req.url ?? "/", "http://x").searchParams.get("after") ?? "0");
    res.setHeader("link", `<${base}/logs?after=${Math.min(after + 2, events.length)}>; rel="next"`);
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(events.slice(after, after + 2)));
  });
  server = s;
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return base;
}

function app(base: string, store: StateStore): App {
  const spec = sourceSpec(
    { strategy: "link_header", rel: "next", maxPages: 10, stop: STOP },
    {
      id: "okta",
      url: `${base}/logs`,
      auth: { type: "bearer", token: { env: "HELR_TEST_TOKEN" }, prefix: "SSWS" } as const,
      transform: transform({ idField: "uuid" }),
    },
  );
  const global = { state: { backend: "memory", path: "" } } as unknown as GlobalSpec;
  return {
    version: "0.0.0-test",
    global,
    sources: [defineSource(spec, { auth: bearerAuth, pagination: linkHeaderPagination })],
    stores: { memory: async () => store },
  };
}

async function runTest(a: App, args: string[]) {
  const out = new PassThrough();
  let stdout = "";
  out.on("data", (d: Buffer) => (stdout += d.toString()));
  let stderr = "";
  const code = await testCommand(a, parseTestOptions(args), pino({ level: "silent" }), {
    out,
    err: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe("helr test", () => {
  it("polls once from the stored position, prints NDJSON and a summary, and commits nothing", async () => {
    process.env.HELR_TEST_TOKEN = TOKEN;
    const base = await api();
    const store = await memoryStore({ path: "" });
    await store.commit("okta", { next_url: `${base}/logs?after=1` });
    const result = await runTest(app(base, store), ["--source", "okta"]);
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).event.uuid),
    ).toEqual(["u2", "u3"]);
    expect(result.stderr).toBe(
      [
        "test okta: ok",
        "  requests  2",
        "  pages     2",
        "  events    2 written (2 received, 0 filtered, 0 duplicates)",
        `  bytes     ${result.stderr.match(/bytes {5}(\d+)/)?.[1]}`,
        "  stopped   empty_page (an empty page)",
        "  state it would write (not committed):",
        `    next_url = ${base}/logs?after=3`,
        `      was ${base}/logs?after=1`,
        "  http      2 attempts, 0 retries, 0 rate-limited, 0 ms throttled",
        "  breaker   closed (0 consecutive failures)",
        "",
      ].join("\n"),
    );
    expect(Number(result.stderr.match(/bytes {5}(\d+)/)?.[1])).toBeGreaterThan(100);
    expect(await store.read("okta")).toEqual({ next_url: `${base}/logs?after=1` });
  });

  it("--fresh ignores stored state", async () => {
    process.env.HELR_TEST_TOKEN = TOKEN;
    const base = await api();
    const store = await memoryStore({ path: "" });
    await store.commit("okta", { next_url: `${base}/logs?after=3` });
    const result = await runTest(app(base, store), ["--source", "okta", "--fresh"]);
    expect(result.stdout.trim().split("\n")).toHaveLength(3);
    expect(result.stderr).toContain("      was (unset)");
  });

  it("exits 1 naming the source and the cause when the poll fails", async () => {
    process.env.HELR_TEST_TOKEN = "wrong-token-000000";
    const base = await api();
    const result = await runTest(app(base, await memoryStore({ path: "" })), ["--source", "okta"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^test okta: FAILED — source "okta": GET \S+ returned HTTP 401/);
    expect(result.stderr).toContain("  requests  1");
    expect(result.stderr).toContain("state it would have written before failing: nothing");
    expect(result.stderr).not.toContain("wrong-token-000000");
  });

  it("needs exactly one --source", () => {
    expect(() => parseTestOptions([])).toThrow(/exactly one --source/);
    expect(() => parseTestOptions(["--source", "a", "--source", "b"])).toThrow(/exactly one --source/);
  });
});

describe("dryRunStore", () => {
  it("reads through, sees its own commits and deletions, and never writes the real store", async () => {
    const base = await memoryStore({ path: "" });
    await base.commit("s", { a: "1", b: "2" });
    const dry = dryRunStore(base);
    await dry.commit("s", { a: "10", b: null, c: "3" });
    expect(await dry.read("s")).toEqual({ a: "10", c: "3" });
    expect(await base.read("s")).toEqual({ a: "1", b: "2" });
    expect(await dry.preview("s")).toEqual([
      { key: "a", before: "1", after: "10" },
      { key: "b", before: "2", after: null },
      { key: "c", before: undefined, after: "3" },
    ]);
  });
});
