import { afterEach, describe, expect, it } from "vitest";
import { forgetSecrets, rememberSecret } from "../../../runtime/config/secret-registry.ts";
import { createHealth } from "../../../runtime/observe/health.ts";
import { type ApiRoutesOptions, apiRoutes, type PollOutcome } from "../../../runtime/server/api-routes.ts";
import { bearerAuthorizer } from "../../../runtime/server/bearer.ts";
import { type HttpServer, startHttpServer } from "../../../runtime/server/http-server.ts";
import type { AuthSpec, SourceSpec } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { call } from "../../support/http-call.ts";
import { recordingLog } from "../../support/server-log.ts";
import { globalSpec, linkHeaderSource } from "../compiler/emit/support/specs.ts";

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  forgetSecrets();
});

const TOKEN = "api-token-0123456789";
/** Planted in every secret-bearing place; none may appear in any response byte. */
const PLANTED: readonly string[] = [
  "planted-header-secret-1",
  "planted-url-password-2",
  "planted-query-secret-3",
  "planted-body-secret-4",
  "planted-state-url-password-5",
  "planted-registry-secret-6",
  "planted-every-query-7",
];

const AUTHS: AuthSpec[] = [
  { type: "bearer", token: { env: "TOKEN_ENV", file: "/run/token" }, prefix: "Bearer" },
  { type: "api_key", key: { env: "KEY_ENV" }, location: "header", name: "X-Api-Key" },
  { type: "basic", user: { env: "USER_ENV" }, password: { file: "/run/pw" } },
  {
    type: "oauth2",
    tokenUrl: "https://id.example/token",
    clientId: { env: "CID" },
    clientSecret: { env: "CSECRET" },
    refreshToken: { file: "/run/rt" },
    scopes: [],
    clientAuth: "client_secret_post",
    dpop: false,
    refreshSkewSecs: 60,
  },
  {
    type: "google_service_account",
    credentials: { file: "/run/sa.json" },
    subject: { env: "SUBJ" },
    scopes: [],
    refreshSkewSecs: 60,
  },
];

function sources(): SourceSpec[] {
  const planted = (i: number): string => PLANTED[i] ?? "";
  return AUTHS.map((auth, i) => ({
    ...linkHeaderSource(`s${i}`),
    url: `https://user:${PLANTED[1]}@api.example/logs?key=${PLANTED[2]}&t=\${QUERY_VAR}`,
    method: "post",
    body: { filter: "x", api_token: planted(3), nested: ["${BODY_VAR}"] },
    headers: { Authorization: `Bearer ${PLANTED[0]}`, "X-Trace": "${TRACE_VAR}", Accept: "application/json" },
    queryParams: { limit: "100", secret: planted(3) },
    everyQueryParams: { token: planted(6) },
    auth,
  }));
}

async function serve(extra: Partial<ApiRoutesOptions> = {}, token: string | undefined = TOKEN) {
  const store = await memoryStore({ path: "" });
  await store.commit("s0", { cursor: "abc", refresh_token: PLANTED[5] ?? "" });
  const specs = sources();
  const health = createHealth({ sources: specs.map((s) => s.id), now: Date.now });
  const global = globalSpec("postgres");
  const audits: { action: string; fields: Readonly<Record<string, unknown>> }[] = [];
  const routes = apiRoutes({
    version: "0.1.0",
    health,
    store,
    sources: () => specs,
    global: () => ({ ...global, state: { ...global.state, url: `postgres://helr:${PLANTED[4]}@db/helr` } }),
    audit: (action, fields) => audits.push({ action, fields }),
    now: Date.now,
    ...extra,
  });
  const server = await startHttpServer({
    bind: { key: "global.api", address: "127.0.0.1", port: 0 },
    routes,
    log: recordingLog(),
    ...(token ? { authorize: bearerAuthorizer(token) } : {}),
  });
  servers.push(server);
  return { server, audits };
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe("REST API /api/v1", () => {
  it("never shows a planted secret in any response byte, for every auth type", async () => {
    rememberSecret(PLANTED[5] ?? "");
    rememberSecret(PLANTED[3] ?? "");
    rememberSecret(PLANTED[6] ?? "");
    const { server } = await serve();
    const paths = ["/api/v1/sources", "/api/v1/config"];
    for (const s of sources()) {
      paths.push(
        `/api/v1/sources/${s.id}`,
        `/api/v1/sources/${s.id}/state`,
        `/api/v1/sources/${s.id}/config`,
      );
    }
    let bytes = 0;
    for (const path of paths) {
      const answer = await call(server.url + path, { headers: auth });
      expect(answer.status, path).toBe(200);
      bytes += answer.text.length;
      for (const secret of PLANTED) expect(answer.text, `${path} shows ${secret}`).not.toContain(secret);
    }
    expect(bytes).toBeGreaterThan(1000);
    const config = (await call(`${server.url}/api/v1/sources/s0/config`, { headers: auth })).json as Record<
      string,
      unknown
    >;
    expect(config.headers).toEqual({
      Authorization: "<redacted>",
      "X-Trace": "<redacted>",
      Accept: "application/json",
    });
    expect(config.url).toBe("https://user:<redacted>@api.example/logs?key=<redacted>&t=<redacted>");
    expect(config.auth).toMatchObject({ type: "bearer", token: { env: "TOKEN_ENV", file: "/run/token" } });
    const global = (await call(`${server.url}/api/v1/config`, { headers: auth })).json as {
      state: { url: string };
    };
    expect(global.state.url).toBe("postgres://helr:<redacted>@db/helr");
    const state = (await call(`${server.url}/api/v1/sources/s0/state`, { headers: auth })).json;
    expect(state).toEqual({ source_id: "s0", state: { cursor: "abc", refresh_token: "<redacted>" } });
  });

  it("requires the bearer token on every route: 401 JSON without the data", async () => {
    const { server } = await serve();
    for (const [method, path] of [
      ["GET", "/api/v1/sources"],
      ["GET", "/api/v1/sources/s0/config"],
      ["GET", "/api/v1/config"],
      ["POST", "/api/v1/sources/s0/poll"],
      ["POST", "/api/v1/reload"],
    ] as const) {
      for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: TOKEN }]) {
        const answer = await call(server.url + path, { method, headers });
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(answer.json).toEqual({ error: "unauthorized" });
      }
    }
    expect((await call(`${server.url}/api/v1/sources`, { headers: auth })).status).toBe(200);
  });

  it("answers 404 JSON for an unknown source and has no CORS headers", async () => {
    const { server } = await serve();
    const answer = await call(`${server.url}/api/v1/sources/nope`, {
      headers: { ...auth, origin: "https://evil.example" },
    });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ error: "source not found", source_id: "nope" });
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    const options = await call(`${server.url}/api/v1/sources`, { method: "OPTIONS", headers: auth });
    expect(options.status).not.toBe(204);
    expect(options.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("POST poll answers the real outcome, failures included, and audits the caller", async () => {
    const outcomes: Record<string, PollOutcome> = {
      s0: { ok: true, events: 7, pages: 2, requests: 2, stopReason: "no_next_link" },
      s1: {
        ok: false,
        events: 0,
        pages: 0,
        requests: 1,
        error: `HTTP 401 with ${PLANTED[0]}`,
        code: "HELR_HTTP_401",
      },
    };
    rememberSecret(PLANTED[0] ?? "");
    const { server, audits } = await serve({
      poll: async (id) => outcomes[id] ?? { ok: true, events: 0, pages: 0, requests: 0 },
    });
    const ok = await call(`${server.url}/api/v1/sources/s0/poll`, { method: "POST", headers: auth });
    expect(ok.json).toEqual({
      source_id: "s0",
      ok: true,
      events: 7,
      pages: 2,
      requests: 2,
      stop_reason: "no_next_link",
    });
    const failed = await call(`${server.url}/api/v1/sources/s1/poll`, { method: "POST", headers: auth });
    expect(failed.status).toBe(200);
    expect(failed.json).toMatchObject({ source_id: "s1", ok: false, code: "HELR_HTTP_401", events: 0 });
    expect(failed.text).not.toContain(PLANTED[0]);
    const unknown = await call(`${server.url}/api/v1/sources/zz/poll`, { method: "POST", headers: auth });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ source_id: "zz", ok: false, error: "source not found" });
    expect(audits.map((a) => a.action)).toEqual([
      "audit: poll triggered",
      "audit: poll finished",
      "audit: poll triggered",
      "audit: poll finished",
    ]);
    expect(audits[0]?.fields).toMatchObject({ source: "s0", remote: "127.0.0.1" });
    expect(audits[3]?.fields).toMatchObject({ source: "s1", ok: false, code: "HELR_HTTP_401", events: 0 });
  });

  it("POST poll and reload answer 503 when not available; reload 409 while one runs, 500 on a rejected bundle", async () => {
    const { server } = await serve();
    const poll = await call(`${server.url}/api/v1/sources/s0/poll`, { method: "POST", headers: auth });
    expect(poll.status).toBe(503);
    const reload = await call(`${server.url}/api/v1/reload`, { method: "POST", headers: auth });
    expect(reload.status).toBe(503);
    const applied = {
      ok: true,
      added: ["s2"],
      removed: [],
      changed: ["s1"],
      unchanged: ["s0"],
      restart_needed: [],
    } as const;
    const answers = ["busy", { ok: false, error: "bundle does not load" }, applied] as const;
    let n = 0;
    const second = await serve({ reload: async () => answers[n++] ?? applied });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const a = await call(`${second.server.url}/api/v1/reload`, { method: "POST", headers: auth });
      statuses.push([a.status, a.json]);
    }
    expect(statuses).toEqual([
      [409, { ok: false, error: "a reload is already running" }],
      [500, { ok: false, error: "bundle does not load" }],
      [200, applied],
    ]);
  });

  it("refuses request bodies over 64 KiB", async () => {
    const { server } = await serve({ reload: async () => "busy" });
    const answer = await call(`${server.url}/api/v1/reload`, {
      method: "POST",
      headers: auth,
      body: "x".repeat(64 * 1024 + 1),
    });
    expect(answer.status).toBe(413);
  });
});
