/**
 * The built bundle against APIs that misbehave on purpose (issue 14): a next link to another
 * origin, an echo of every header into an error body, a truncated page, bodies that are JSON but
 * not pages, cursors that loop, a URL that does not parse, statuses no retry can fix. Each case
 * checks what leaves the process (requests, stdout, stderr, recordings, state) byte for byte.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApi } from "../support/api-server.ts";
import { cleanEnv } from "../support/bundle.ts";
import { buildBundle, runBundle } from "./cli-support.ts";

const SECRETS = {
  TOKEN: "hostile-bearer-token-8c1f22",
  CUSTOM: "hostile-custom-header-77ab",
  TENANT_KEY: "hostile-tenant-query-5e90",
  QKEY: "hostile-url-query-key-3d4d",
};

const CONFIG = `global:
  state: { backend: sqlite, path: ./state.db }
sources:
  linked:
    url: "\${A_URL}/logs"
    headers: { X-Custom: "\${CUSTOM}" }
    query_params: { tenant: "\${TENANT_KEY}" }
    auth: { type: bearer, token_env: TOKEN }
    pagination: { strategy: link_header, max_pages: 10 }
  echo:
    url: "\${A_URL}/echo"
    headers: { X-Custom: "\${CUSTOM}" }
    auth: { type: bearer, token_env: TOKEN }
    resilience: { retries: { max_attempts: 1 } }
  skipper:
    url: "\${A_URL}/skip"
    on_parse_error: skip
    pagination: { strategy: link_header, max_pages: 10 }
  looping:
    url: "\${A_URL}/cursor"
    response_events_path: items
    pagination: { strategy: cursor, cursor_param: c, cursor_path: next, max_pages: 50 }
  bodies:
    url: "\${A_URL}/bodies/\${KIND}"
    headers: { X-Custom: "\${CUSTOM}" }
  badurl:
    url: "\${BAD_URL}?key=\${QKEY}"
  rejects:
    url: "\${A_URL}/status/\${STATUS}"
`;

let a: ApiServer;
let b: ApiServer;
let built: { dir: string; bundle: string };

/** `n` events of page `page`. */
const events = (page: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ uuid: `p${page}-${i}`, published: "2026-01-01T00:00:00Z" }));

beforeAll(async () => {
  b = await startApi(() => ({ json: [{ uuid: "harvested" }] }));
  a = await startApi((req, base) => {
    const url = new URL(req.url, base);
    const page = Number(url.searchParams.get("p") ?? "1");
    switch (url.pathname) {
      case "/logs":
        return { json: events(1, 2), headers: { link: `<${b.url}/logs?p=2&secret=zzz-query>; rel="next"` } };
      case "/echo":
        return { status: 500, json: { seen: req.headers } };
      case "/skip": {
        const link = page < 3 ? { link: `<${base}/skip?p=${page + 1}>; rel="next"` } : undefined;
        if (page === 2)
          return { body: JSON.stringify(events(2, 50)).slice(0, 2000), ...(link ? { headers: link } : {}) };
        return { json: events(page, 50), ...(link ? { headers: link } : {}) };
      }
      case "/cursor": {
        const sent = url.searchParams.get("c");
        const next = sent === null ? "A" : sent === "A" ? "B" : "A";
        return { json: { items: [{ uuid: `c-${sent ?? "first"}` }], next } };
      }
      case "/bodies/null":
        return { body: "null" };
      case "/bodies/string":
        return { body: '"maintenance"' };
      case "/bodies/number":
        return { body: "42" };
      case "/bodies/errors":
        return { json: { errors: [{ message: `denied ${SECRETS.CUSTOM}` }] } };
      case "/bodies/google-empty":
        return { json: { kind: "admin#reports#activities", etag: "x" } };
      default:
        return { status: Number(url.pathname.split("/").pop()), json: { error: "no" } };
    }
  });
  built = await buildBundle(CONFIG);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

function run(args: string[], extra: Record<string, string> = {}) {
  return runBundle(built.bundle, args, built.dir, cleanEnv({ A_URL: a.url, ...SECRETS, ...extra }));
}

const state = async (source: string) =>
  JSON.parse((await run(["state", "export"])).stdout)[source] as Record<string, string> | undefined;

function expectNoSecret(text: string, where: string): void {
  for (const [name, value] of Object.entries(SECRETS))
    expect(text, `${name} in ${where}`).not.toContain(value);
}

describe("a next page on another origin", () => {
  it("is never requested nor stored; the pass ends with a coded error naming the origin, not its query", async () => {
    const result = await run(["run", "--once", "--source", "linked"]);
    expect(b.requests).toEqual([]);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").filter(Boolean)).toHaveLength(2);
    expect(result.stderr).toContain("HELR_FOREIGN_ORIGIN");
    expect(result.stderr).toContain(`the API's next page is on ${b.url}`);
    expect(result.stderr).not.toContain("zzz-query");
    const stored = await state("linked");
    expect(JSON.stringify(stored ?? {})).not.toContain(b.url);
    expectNoSecret(result.stderr + JSON.stringify(stored ?? {}), "stderr and state");
  });
});

describe("values from the environment in headers, query and auth", () => {
  it("never appear in debug and error logs, recordings, state or helr test output", async () => {
    const logged = await run(["run", "--once", "--source", "echo", "--record-dir", "rec"], {
      HELR_LOG_LEVEL: "trace",
    });
    expect(logged.code).toBe(1);
    // The API echoed them back: the error quotes its body, masked.
    expect(logged.stderr).toMatch(/returned HTTP 500/);
    expect(logged.stderr).toContain("REDACTED");
    expectNoSecret(logged.stderr, "stderr");
    const folder = join(built.dir, "rec", "echo");
    const recorded = readdirSync(folder).map((name) => readFileSync(join(folder, name), "utf8"));
    expect(recorded.length).toBeGreaterThan(0);
    for (const text of recorded) {
      const decoded = Buffer.from(JSON.parse(text).body_base64, "base64").toString("utf8");
      expectNoSecret(text + decoded, "a recording");
    }
    const tested = await run(["test", "--source", "linked"]);
    expectNoSecret(tested.stderr + tested.stdout, "helr test");
  });

  it("in a URL's query that does not parse: the error shows the URL redacted", async () => {
    const result = await run(["run", "--once", "--source", "badurl"], { BAD_URL: "not a url" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("HELR_CONFIG_URL");
    expectNoSecret(result.stderr, "stderr");
  });
});

describe("a page is all or nothing", () => {
  it("a truncated page writes none of its events, ends the pass (skip) and keeps its position", async () => {
    const result = await run(["run", "--once", "--source", "skipper"]);
    expect(result.code).toBe(0);
    const written = result.stdout.split("\n").filter(Boolean);
    // Page 1 only: nothing of the cut page 2, and page 3 is not read past it.
    expect(written.map((line) => JSON.parse(line).event.uuid)).toEqual(events(1, 50).map((e) => e.uuid));
    expect(result.stderr).toMatch(/page skipped and the pass ends here/);
    expect((await state("skipper"))?.next_url).toBe(`${a.url}/skip?p=2`);
  });
});

describe("a 2xx that is not a page of events", () => {
  it.each(["null", "string", "number"])(
    "a JSON %s body is a parse error and advances nothing",
    async (kind) => {
      const result = await run(["run", "--once", "--source", "bodies"], { KIND: kind });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/HELR_PARSE.*not an object or an array of events/);
      expect(result.stdout).toBe("");
    },
  );

  it("an object with `errors` and no events is an API error quoting the body, masked", async () => {
    const result = await run(["run", "--once", "--source", "bodies"], { KIND: "errors" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"code":"HELR_API_ERROR"');
    expect(result.stderr).toMatch(
      /bodies: FAILED — .*"errors" in a response without events .*denied REDACTED/,
    );
    expectNoSecret(result.stderr, "stderr");
  });

  it("an object that only leaves the events out (Google, empty) is still an empty page", async () => {
    const result = await run(["run", "--once", "--source", "bodies"], { KIND: "google-empty" });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
  });
});

describe("the loop guard", () => {
  it("ends a pass whose cursors alternate A, B, A at the first repeat, with a warning", async () => {
    const before = a.requests.filter((r) => r.url.startsWith("/cursor")).length;
    const result = await run(["run", "--once", "--source", "looping"]);
    const asked = a.requests.filter((r) => r.url.startsWith("/cursor")).slice(before);
    expect(asked.map((r) => new URL(r.url, a.url).searchParams.get("c"))).toEqual([null, "A", "B"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/loop guard/);
    expect(result.stderr).toMatch(/stopped: loop/);
  });
});

describe("statuses no retry can fix", () => {
  it.each([400, 404, 422])("HTTP %i is sent once, whatever max_attempts says", async (status) => {
    const before = a.requests.length;
    const result = await run(["run", "--once", "--source", "rejects"], { STATUS: String(status) });
    expect(result.code).toBe(1);
    expect(a.requests.length - before).toBe(1);
    expect(result.stderr).toContain(`HELR_HTTP_${status}`);
  });
});
