import { afterEach, describe, expect, it } from "vitest";
import { forgetSecrets, rememberSecret } from "../../../runtime/config/secret-registry.ts";
import { createHealth } from "../../../runtime/observe/health.ts";
import { apiRoutes } from "../../../runtime/server/api-routes.ts";
import { type HttpServer, startHttpServer } from "../../../runtime/server/http-server.ts";
import type { AuthSpec, GlobalSpec, SourceSpec } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { call } from "../../support/http-call.ts";
import { recordingLog } from "../../support/server-log.ts";
import { globalSpec, linkHeaderSource } from "../compiler/emit/support/specs.ts";

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  forgetSecrets();
});

/** Every planted value; each is a secret the process has read (so the registry knows it). */
const planted: string[] = [];
const plant = (what: string): string => {
  const value = `PLANTED-${what}-${planted.length}-zq`;
  planted.push(value);
  return value;
};

/** Every auth type, each secret-bearing key holding a literal planted value where the spec allows one. */
function auths(): AuthSpec[] {
  return [
    { type: "bearer", token: { env: "T", file: plant("bearer-file") }, prefix: "Bearer" },
    { type: "api_key", key: { env: "K", file: plant("apikey-file") }, location: "query", name: "api_key" },
    { type: "basic", user: { env: "U" }, password: { env: "P", file: plant("basic-pw-file") } },
    {
      type: "oauth2",
      tokenUrl: `https://id:${plant("token-url-pw")}@id.example/token?client_secret=${plant("token-url-q")}`,
      clientId: { env: "CID" },
      clientSecret: { env: "CS", file: plant("oauth-secret-file") },
      clientPrivateKey: { file: plant("oauth-key-file") },
      refreshToken: { env: "RT", file: plant("refresh-file") },
      scopes: [],
      clientAuth: "client_secret_post",
      dpop: false,
      refreshSkewSecs: 60,
    },
    {
      type: "google_service_account",
      credentials: { file: plant("sa-file") },
      subject: { env: "SUBJ", file: plant("subject-file") },
      scopes: [],
      refreshSkewSecs: 60,
    },
  ];
}

function sources(): SourceSpec[] {
  return auths().map((auth, i) => ({
    ...linkHeaderSource(`s${i}`),
    url: `https://user:${plant("url-pw")}@api.example/logs?token=${plant("url-q")}&x=\${Q}`,
    method: "post",
    body: { password: plant("body"), nested: [{ api_key: plant("body-nested") }] },
    headers: {
      Authorization: `Bearer ${plant("hdr-auth")}`,
      Cookie: plant("hdr-cookie"),
      "X-Api-Key": plant("hdr-key"),
      "X-Trace": `\${TRACE}`,
    },
    queryParams: { secret: plant("query") },
    everyQueryParams: { access_token: plant("every-query") },
    auth,
  }));
}

describe("REST API secret scan", () => {
  it("no planted value appears in any byte of any GET response", async () => {
    planted.length = 0;
    const specs = sources();
    const base = globalSpec("postgres");
    const global: GlobalSpec = {
      ...base,
      state: { ...base.state, url: `postgres://helr:${plant("state-url-pw")}@db/helr` },
      output: {
        ...base.output,
        http: {
          ...base.output.http,
          url: `https://sink:${plant("sink-url-pw")}@siem.example/in`,
          headers: { Authorization: `Splunk ${plant("sink-hdr")}` },
        },
      },
    };
    const store = await memoryStore({ path: "" });
    await store.commit("s0", { cursor: "c", refresh_token: plant("state-refresh") });
    // Everything planted is a value the process read from a secret, as at run time.
    for (const value of planted) rememberSecret(value);
    const routes = apiRoutes({
      version: "0.1.0",
      health: createHealth({ sources: specs.map((s) => s.id), now: Date.now }),
      store,
      sources: () => specs,
      global: () => global,
      now: Date.now,
    });
    const server = await startHttpServer({
      bind: { key: "global.api", address: "127.0.0.1", port: 0 },
      routes,
      log: recordingLog(),
    });
    servers.push(server);
    const paths = ["/api/v1/sources", "/api/v1/config"];
    for (const s of specs)
      paths.push(
        `/api/v1/sources/${s.id}`,
        `/api/v1/sources/${s.id}/state`,
        `/api/v1/sources/${s.id}/config`,
      );
    const GET_ROUTES = routes.filter((r) => r.method === "GET").length;
    expect(GET_ROUTES).toBe(5);
    let bytes = 0;
    for (const path of paths) {
      const answer = await call(server.url + path);
      expect(answer.status, path).toBe(200);
      bytes += Buffer.byteLength(answer.text);
      for (const value of planted) expect(answer.text, `${path} shows ${value}`).not.toContain(value);
      expect(answer.text).not.toContain("PLANTED-");
    }
    // Figures for the closing note.
    console.log(`secret scan: ${planted.length} planted values, ${paths.length} responses, ${bytes} bytes`);
    expect(planted.length).toBe(59);
    expect(bytes).toBeGreaterThan(5000);
  });
});
