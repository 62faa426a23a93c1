/**
 * The REST API, the status page and SIGUSR1 through the built bundle (docs/rest-api.md): bearer
 * auth on every route, a triggered poll's real outcome, serialised with the scheduler, redacted
 * config, and the startup refusal of an open API beyond loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { call } from "../support/http-call.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { freePort, type RunningBundle, startBundle, waitUntil } from "../support/running-bundle.ts";
import { buildBundle, oktaConfig, runBundle } from "./cli-support.ts";

const TOKEN = "okta-rest-9f8e7d6c5b4a";
const API_TOKEN = "api-token-3c2b1a0f9e8d";
let mock: OktaMock;
let port: number;
let bundle: string;

/** The Okta source polled every hour (so only the first poll and triggered ones run). */
function apiConfig(extra: string): string {
  return oktaConfig(50)
    .replace("global:\n", `global:\n${extra}`)
    .replace("interval_secs: 1", "interval_secs: 3600");
}

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: 60, seed: 17 });
  port = await freePort();
  bundle = (
    await buildBundle(
      apiConfig(
        `  api:\n    enabled: true\n    port: ${port}\n    auth:\n      token_env: HELR_API_TOKEN\n  dump_on_sigusr1:\n    destination: log\n  audit:\n    enabled: true\n`,
      ),
    )
  ).bundle;
}, 120_000);
afterAll(async () => mock?.close());

const env = (extra: Record<string, string> = {}) =>
  cleanEnv({
    OKTA_URL: mock.url,
    OKTA_TOKEN: TOKEN,
    HELR_API_TOKEN: API_TOKEN,
    HELR_LOG_LEVEL: "info",
    ...extra,
  });
const api = (path: string, init: { method?: string; token?: string } = {}) =>
  call(`http://127.0.0.1:${port}${path}`, {
    method: init.method ?? "GET",
    headers: init.token === undefined ? {} : { authorization: `Bearer ${init.token}` },
  });

describe("a running bundle's REST API", () => {
  let run: RunningBundle;
  beforeAll(async () => {
    run = startBundle(bundle, ["run"], tempDir(), env());
    await waitUntil("the first poll", () =>
      run.stdout().trim().split("\n").length === 60 ? true : undefined,
    );
  }, 60_000);
  afterAll(async () => {
    await run?.stop();
  });

  it("refuses every route without the right token, with a 401 JSON and an audit line", async () => {
    for (const path of ["/api/v1/sources", "/api/v1/sources/okta/state", "/api/v1/config", "/"]) {
      const none = await api(path);
      expect(none.status, path).toBe(401);
      expect(none.text).not.toContain("okta-rest");
      expect((await api(path, { token: "wrong" })).status, path).toBe(401);
    }
    expect((await api("/api/v1/sources/okta/poll", { method: "POST" })).status).toBe(401);
    await waitUntil("the audit line", () =>
      /audit: api unauthorized/.test(run.stderr()) ? true : undefined,
    );
    expect(run.stderr()).not.toContain(API_TOKEN);
  });

  it("answers Helr's shapes with the token: sources, one source, its state, redacted config", async () => {
    const sources = await api("/api/v1/sources", { token: API_TOKEN });
    expect(sources.status).toBe(200);
    expect(sources.json).toMatchObject({ sources: { okta: { status: "ok" } } });
    const state = await api("/api/v1/sources/okta/state", { token: API_TOKEN });
    expect(state.json).toMatchObject({ source_id: "okta", state: expect.any(Object) });
    const config = await api("/api/v1/sources/okta/config", { token: API_TOKEN });
    expect(config.status).toBe(200);
    const global = await api("/api/v1/config", { token: API_TOKEN });
    for (const answer of [sources, state, config, global]) {
      expect(answer.text).not.toContain(TOKEN);
      expect(answer.text).not.toContain(API_TOKEN);
    }
    expect((await api("/api/v1/sources/nope", { token: API_TOKEN })).status).toBe(404);
  });

  it("POST /sources/{id}/poll runs a poll now and answers its real outcome", async () => {
    mock.addEvents(12);
    const polled = await api("/api/v1/sources/okta/poll", { method: "POST", token: API_TOKEN });
    expect(polled.status).toBe(200);
    expect(polled.json).toMatchObject({ source_id: "okta", ok: true, events: 12, stop_reason: "empty_page" });
    expect(run.stdout().trim().split("\n")).toHaveLength(72);
    // A failed poll says so (the Rust Helr answers ok: true).
    mock.failNext(1_000);
    const failed = await api("/api/v1/sources/okta/poll", { method: "POST", token: API_TOKEN });
    expect(failed.json).toMatchObject({ source_id: "okta", ok: false, error: expect.stringMatching(/500/) });
    mock.failNext(0);
    await waitUntil("the audit of the triggered polls", () =>
      (run.stderr().match(/audit: poll triggered/g) ?? []).length >= 2 ? true : undefined,
    );
  });

  it("two triggered polls of one source never overlap", async () => {
    mock.addEvents(5);
    const before = mock.requests.length;
    const [a, b] = await Promise.all([
      api("/api/v1/sources/okta/poll", { method: "POST", token: API_TOKEN }),
      api("/api/v1/sources/okta/poll", { method: "POST", token: API_TOKEN }),
    ]);
    const events = [a, b].map((r) => (r.json as { events: number }).events).sort();
    // Serialised: the first takes the 5 new events, the second finds none. Raced, both would.
    expect(events).toEqual([0, 5]);
    // The first: the new page, then the empty one its next link gives; the second: that empty page.
    expect(mock.requests.length - before).toBe(3);
    expect(run.stdout().trim().split("\n")).toHaveLength(77);
  });

  it("serves the status page with the token", async () => {
    const page = await api("/", { token: API_TOKEN });
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.text).toContain("okta");
  });

  it("SIGUSR1 writes the state and metrics dump to the log", async () => {
    run.child.kill("SIGUSR1");
    await waitUntil("the dump", () => (/"msg":"SIGUSR1 dump"/.test(run.stderr()) ? true : undefined));
    const line = run
      .stderr()
      .split("\n")
      .find((l) => l.includes('"msg":"SIGUSR1 dump"')) as string;
    const { dump } = JSON.parse(line) as { dump: { state: Record<string, object>; dumped_at: string } };
    expect(Object.keys(dump.state)).toEqual(["okta"]);
    expect(run.child.exitCode).toBeNull();
    expect(run.stderr()).not.toContain(TOKEN);
  });
});

describe("startup refusals", () => {
  it("a non-loopback API without a token: exit 1 naming the key, nothing polled", async () => {
    const { bundle: open } = await buildBundle(
      apiConfig(`  api:\n    enabled: true\n    address: 0.0.0.0\n    port: ${await freePort()}\n`),
    );
    const before = mock.requests.length;
    const result = await runBundle(open, ["run", "--once"], tempDir(), env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("global.api.address");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(mock.requests.length).toBe(before);
  }, 60_000);

  it("a token variable that is unset: exit 1, never an open API", async () => {
    const result = await runBundle(bundle, ["run", "--once"], tempDir(), env({ HELR_API_TOKEN: "" }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/global\.api\.auth/);
  }, 60_000);
});
