/**
 * The other examples of Flicker's "API tailing" page (issue 19; the Okta one runs in
 * flicker-config.test.ts), built into bundles and run against loopback APIs that answer as the
 * example expects, with only the hosts changed: the custom vendor API (offset pagination under
 * `skip`, `results_field: data.events`, `api_key`, `match_on`/`exclude_on`, an HTTP destination
 * with a bearer token), GitHub's audit log (page pagination, a root array, its headers, an HTTP
 * destination), the configuration example (offset pagination under `data`, `buffer_size` as the
 * destination's batch size), the Basic authentication and API key examples (stdout), and the
 * bearer token and custom header examples (a destination token from the environment).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type ApiReply, type ApiRequest, type ApiServer, startApi } from "../support/api-server.ts";
import { cleanEnv, helrc, type Run, runProcess, tempDir } from "../support/bundle.ts";
import { type NdjsonReceiver, startReceiver } from "../support/ndjson-receiver.ts";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "..", "golden", "flicker");
const seed = (name: string) => readFileSync(join(GOLDEN, name, "input.yaml"), "utf8");

const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

async function api(reply: (request: ApiRequest, url: URL) => ApiReply): Promise<ApiServer> {
  const server = await startApi((request, base) => reply(request, new URL(request.url, base)));
  closers.push(() => server.close());
  return server;
}

async function receiver(): Promise<NdjsonReceiver> {
  const r = await startReceiver();
  closers.push(() => r.kill());
  return r;
}

/** Builds `config` and runs `helr run --once` with it. */
async function buildAndRun(config: string, env: Record<string, string> = {}): Promise<Run> {
  const dir = tempDir({ "flicker.yaml": config });
  const bundle = join(dir, "helr.js");
  const built = await helrc(["build", join(dir, "flicker.yaml"), "-o", bundle]);
  expect(built.stderr).not.toMatch(/ error HLR\d+/);
  expect(built.code, built.stderr).toBe(0);
  return runProcess(process.execPath, [bundle, "run", "--once"], { cwd: dir, env: cleanEnv(env) });
}

const time = (i: number) => new Date(Date.UTC(2024, 4, 21, 13, 0, i)).toISOString();
const events = (lines: readonly string[]) =>
  lines.map((l) => (JSON.parse(l) as { source: string; event: Record<string, unknown> }).event);

describe("Flicker's custom vendor API example", () => {
  const TYPES = [
    "user.session.start",
    "user.authentication.failed",
    "user.password.change",
    "user.session.start",
  ];
  const all = Array.from({ length: 120 }, (_, i) => ({
    id: `v${i}`,
    event_time: time(i),
    event_type: TYPES[i % 4],
    // Every fourth event is internal housekeeping: exclude_on drops it although match_on matches.
    description: i % 4 === 3 ? "system.internal session check" : `event ${i}`,
  }));

  it("pages with skip/limit, ships what match_on keeps and exclude_on does not, to its HTTP destination", async () => {
    const vendor = await api((_request, url) => {
      const skip = Number(url.searchParams.get("skip") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? 10);
      return { json: { data: { events: all.slice(skip, skip + limit) } } };
    });
    const siem = await receiver();
    const config = seed("seed-vendor")
      .replace("https://api.vendor.com", vendor.url)
      .replace("https://your-siem.com/ingest", siem.url);
    const run = await buildAndRun(config);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("");
    expect(vendor.requests.map((r) => new URL(r.url, vendor.url).searchParams.get("skip"))).toEqual([
      "0",
      "50",
      "100",
    ]);
    expect(vendor.requests.every((r) => r.headers["x-api-key"] === "your-api-key-here")).toBe(true);
    const kept = all.filter((_e, i) => i % 4 === 0 || i % 4 === 1).map((e) => e.id);
    expect(events(siem.stored).map((e) => e.id)).toEqual(kept);
    expect(siem.requests.every((r) => r.headers.authorization === "Bearer your-siem-token")).toBe(true);
  });
});

describe("Flicker's GitHub audit log example", () => {
  const all = Array.from({ length: 250 }, (_, i) => ({
    _document_id: `g${i}`,
    action: "repo.create",
    created_at: Date.UTC(2024, 4, 21, 13, 0, i),
  }));

  it("pages with page/per_page over a root array, with its headers, to its HTTP destination", async () => {
    const github = await api((request, url) => {
      if (request.headers.authorization !== "Bearer ghp_your_token") return { status: 401, json: {} };
      const page = Number(url.searchParams.get("page") ?? 1);
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      return { json: all.slice((page - 1) * perPage, page * perPage) };
    });
    const siem = await receiver();
    const config = seed("seed-github")
      .replace("https://api.github.com", github.url)
      .replace("https://your-siem.com/ingest", siem.url);
    const run = await buildAndRun(config);
    expect(run.code, run.stderr).toBe(0);
    const pages = github.requests.map((r) => new URL(r.url, github.url).searchParams);
    expect(pages.map((p) => p.get("page"))).toEqual(["1", "2", "3"]);
    expect(pages.every((p) => p.get("per_page") === "100")).toBe(true);
    expect(github.requests.every((r) => r.headers.accept === "application/vnd.github+json")).toBe(true);
    expect(events(siem.stored).map((e) => e._document_id)).toEqual(all.map((e) => e._document_id));
  });
});

describe("Flicker's Basic authentication and API key examples", () => {
  it("sends Basic auth from the environment and literally, and X-API-Key; writes each source's events", async () => {
    const served = new Map([
      ["/logs", "basic"],
      ["/other-logs", "key"],
      ["/literal-logs", "literal"],
    ]);
    const server = await api((request, url) => {
      const name = served.get(url.pathname) ?? "unknown";
      return {
        json: [{ id: `${name}-1`, auth: request.headers.authorization ?? request.headers["x-api-key"] }],
      };
    });
    const config = seed("seed-basic").replaceAll("https://api.example.com", server.url);
    const run = await buildAndRun(config, {
      MY_API_USER: "alice",
      MY_API_PASSWORD: "pa55word",
      OTHER_API_KEY: "key-123",
    });
    expect(run.code, run.stderr).toBe(0);
    const got = Object.fromEntries(
      run.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { source: string; event: { auth: string } })
        .map((l) => [l.source, l.event.auth]),
    );
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    expect(got).toEqual({
      "my-api": basic("alice", "pa55word"),
      "my-other-api": "key-123",
      "my-literal-api": basic("your-username", "your-password"),
    });
  });
});

describe("Flicker's configuration example (offset pagination, results_field, buffering)", () => {
  const all = Array.from({ length: 230 }, (_, i) => ({
    uuid: `o${i}`,
    published: time(i),
    displayMessage: `message ${i}`,
  }));

  it("pages with limit/offset under data, sends SSWS, and delivers every event to its destination", async () => {
    const okta = await api((request, url) => {
      if (request.headers.authorization !== "SSWS your-api-token") return { status: 401, json: {} };
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? 10);
      return { json: { data: all.slice(offset, offset + limit) } };
    });
    const siem = await receiver();
    const config = seed("seed-config")
      .replace("https://your-domain.okta.com", okta.url)
      .replace("https://your-siem.com/ingest", siem.url);
    const run = await buildAndRun(config);
    expect(run.code, run.stderr).toBe(0);
    const offsets = okta.requests.map((r) => new URL(r.url, okta.url).searchParams.get("offset"));
    expect(offsets).toEqual(["0", "100", "200"]);
    const stored = siem.stored.map(
      (l) => JSON.parse(l) as { event: { uuid: string }; meta: { message?: string } },
    );
    expect(stored.map((l) => l.event.uuid)).toEqual(all.map((e) => e.uuid));
    expect(stored[0]?.meta.message).toBe("message 0");
    // buffer_size 50 is the destination's batch size.
    expect(siem.requests.every((r) => r.lines.length <= 50)).toBe(true);
  });
});

describe("Flicker's bearer token and custom header examples", () => {
  it("sends each source's headers, and the destination's bearer token from the environment", async () => {
    const server = await api((request, url) => ({
      json: [{ id: url.pathname, headers: request.headers }],
    }));
    const siem = await receiver();
    const config = seed("seed-custom-headers")
      .replaceAll("https://api.example.com", server.url)
      .replace("https://your-siem.com/ingest", siem.url);
    const run = await buildAndRun(config, { MY_API_TOKEN: "api-token-1", SIEM_TOKEN: "siem-token-2" });
    expect(run.code, run.stderr).toBe(0);
    const got = Object.fromEntries(
      siem.stored
        .map((l) => JSON.parse(l) as { source: string; event: { headers: Record<string, string> } })
        .map((l) => [l.source, l.event.headers]),
    );
    expect(got["my-api"]?.authorization).toBe("Bearer api-token-1");
    expect(got["tenant-api"]).toMatchObject({ "x-custom-auth": "custom-value", "x-tenant-id": "tenant-123" });
    expect(siem.requests.every((r) => r.headers.authorization === "Bearer siem-token-2")).toBe(true);
    expect(run.stderr).not.toContain("siem-token-2");
  });
});
