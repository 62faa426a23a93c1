import { afterEach, describe, expect, it } from "vitest";
import {
  auditApiCall,
  auditConfigReloaded,
  auditReloadRejected,
  configureAudit,
} from "../../../runtime/audit.ts";
import { forgetSecrets, redactSecrets, rememberSecret } from "../../../runtime/config/secret-registry.ts";
import type { Logger } from "../../../runtime/log.ts";
import { createHealth } from "../../../runtime/observe/health.ts";
import { checkApiBind, isLoopback, loadApiAuthorize } from "../../../runtime/server/api-auth.ts";
import { apiRoutes } from "../../../runtime/server/api-routes.ts";
import { type HttpServer, startHttpServer } from "../../../runtime/server/http-server.ts";
import type { GlobalSpec } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { call } from "../../support/http-call.ts";
import { recordingLog } from "../../support/server-log.ts";
import { globalSpec, linkHeaderSource } from "../compiler/emit/support/specs.ts";

const TOKEN = "api-token-s3cr3t-0123456789";

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  configureAudit(undefined, undefined);
  forgetSecrets();
});

function withApi(api: Partial<GlobalSpec["api"]>): GlobalSpec {
  const base = globalSpec("memory");
  return { ...base, api: { ...base.api, enabled: true, ...api } };
}

interface Line {
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}
function auditLog(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const log = { info: (fields: Record<string, unknown>, msg: string) => void lines.push({ fields, msg }) };
  configureAudit(log as unknown as Logger, {
    enabled: true,
    logCredentialAccess: true,
    logConfigChanges: true,
  });
  return { log: log as unknown as Logger, lines };
}

const noFile = (path: string): string => {
  throw Object.assign(new Error(`ENOENT ${path}`), { code: "ENOENT" });
};

describe("loadApiAuthorize", () => {
  it("is undefined without global.api.auth", () => {
    expect(loadApiAuthorize(withApi({}), {}, noFile)).toBeUndefined();
  });

  it("reads the token from the variable, remembers it as a secret and audits the read", () => {
    const { lines } = auditLog();
    const authorize = loadApiAuthorize(
      withApi({ auth: { env: "HELR_API_TOKEN" } }),
      { HELR_API_TOKEN: TOKEN },
      noFile,
    );
    expect(authorize?.(`Bearer ${TOKEN}`)).toBe(true);
    expect(authorize?.("Bearer nope")).toBe(false);
    expect(redactSecrets(`x ${TOKEN} y`)).toBe("x REDACTED y");
    expect(lines[0]).toEqual({
      fields: { audit: true, source: "global.api", kind: "api_token" },
      msg: "audit: credential accessed",
    });
  });

  it("reads the token from the file (placeholders expanded), trimmed", () => {
    const read: string[] = [];
    const authorize = loadApiAuthorize(
      withApi({ auth: { file: "${SECRETS}/api-token" } }),
      { SECRETS: "/run/secrets" },
      (path) => {
        read.push(path);
        return `  ${TOKEN}\n`;
      },
    );
    expect(read).toEqual(["/run/secrets/api-token"]);
    expect(authorize?.(`Bearer ${TOKEN}`)).toBe(true);
  });

  it("fails at startup, never opens the API, when the token is unset, empty or unreadable", () => {
    const env = withApi({ auth: { env: "HELR_API_TOKEN" } });
    expect(() => loadApiAuthorize(env, {}, noFile)).toThrow(
      /global\.api\.auth: the API token from environment variable HELR_API_TOKEN is empty/,
    );
    expect(() => loadApiAuthorize(env, { HELR_API_TOKEN: "  " }, noFile)).toThrow(/is empty/);
    const file = withApi({ auth: { file: "/run/none" } });
    expect(() => loadApiAuthorize(file, {}, noFile)).toThrow(
      "global.api.auth.token_file: cannot read the API token from /run/none (ENOENT)",
    );
    expect(() => loadApiAuthorize(file, {}, () => "\n")).toThrow(/file \/run\/none is empty/);
    try {
      loadApiAuthorize(file, {}, noFile);
    } catch (error) {
      expect((error as { code?: string }).code).toBe("HELR_SECRET_MISSING");
    }
  });

  it("answers 401 JSON with an audit line (address, never the data or the token) on a live server", async () => {
    const { lines } = auditLog();
    const spec = withApi({ auth: { env: "T" } });
    const authorize = loadApiAuthorize(spec, { T: TOKEN }, noFile);
    const store = await memoryStore({ path: "" });
    await store.commit("okta", { cursor: "position-42" });
    const sources = [linkHeaderSource("okta")];
    const routes = apiRoutes({
      version: "0.1.0",
      health: createHealth({ sources: ["okta"], now: Date.now }),
      store,
      sources: () => sources,
      global: () => spec,
      now: Date.now,
    });
    const server = await startHttpServer({
      bind: { key: "global.api", address: "127.0.0.1", port: 0 },
      routes,
      log: recordingLog(),
      ...(authorize ? { authorize } : {}),
    });
    servers.push(server);
    const url = `${server.url}/api/v1/sources/okta/state`;
    const missing = await call(url);
    const wrong = await call(url, { headers: { authorization: `Bearer ${TOKEN}x` } });
    for (const answer of [missing, wrong]) {
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ error: "unauthorized" });
      expect(answer.text).not.toContain("position-42");
    }
    const ok = await call(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("position-42");
    const refused = lines.filter((l) => l.msg === "audit: api unauthorized");
    expect(refused.map((l) => l.fields)).toEqual([
      {
        audit: true,
        remote: "127.0.0.1",
        method: "GET",
        path: "/api/v1/sources/okta/state",
        reason: "missing token",
      },
      {
        audit: true,
        remote: "127.0.0.1",
        method: "GET",
        path: "/api/v1/sources/okta/state",
        reason: "wrong token",
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });
});

describe("checkApiBind", () => {
  it("refuses a non-loopback address without a token, naming the key and the fix", () => {
    for (const address of ["0.0.0.0", "::", "10.1.2.3", "collector.internal"]) {
      let thrown: unknown;
      try {
        checkApiBind(withApi({ address }));
      } catch (error) {
        thrown = error;
      }
      expect((thrown as { code?: string }).code, address).toBe("HELR_API_UNPROTECTED");
      expect((thrown as Error).message).toContain(`global.api.address ${address} is not a loopback address`);
      expect((thrown as Error).message).toContain("set global.api.auth.token_env (or token_file)");
    }
  });

  it("allows loopback without a token, any address with one, and a disabled API", () => {
    for (const address of ["127.0.0.1", "127.8.0.1", "::1", "localhost", "::ffff:127.0.0.1"])
      expect(() => checkApiBind(withApi({ address }))).not.toThrow();
    expect(() => checkApiBind(withApi({ address: "0.0.0.0", auth: { env: "T" } }))).not.toThrow();
    expect(() => checkApiBind(withApi({ address: "0.0.0.0", enabled: false }))).not.toThrow();
  });

  it("knows loopback when it sees it", () => {
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("[::1]")).toBe(true);
    expect(isLoopback("128.0.0.1")).toBe(false);
    expect(isLoopback("127.0.0.256")).toBe(false);
    expect(isLoopback("127.example.com")).toBe(false);
  });
});

describe("audit of API calls and reloads", () => {
  it("writes poll, reload-requested, reloaded and rejected lines with the caller, masking secrets", () => {
    const { lines } = auditLog();
    rememberSecret("db-password-9876");
    auditApiCall("audit: poll triggered", { source: "okta", remote: "10.0.0.7" });
    auditConfigReloaded("/etc/helr/bundle.mjs", "api", "10.0.0.7");
    auditReloadRejected(
      "/etc/helr/bundle.mjs",
      "state url postgres://u:db-password-9876@db failed",
      "sighup",
    );
    expect(lines).toEqual([
      { fields: { audit: true, source: "okta", remote: "10.0.0.7" }, msg: "audit: poll triggered" },
      {
        fields: { audit: true, path: "/etc/helr/bundle.mjs", trigger: "api", remote: "10.0.0.7" },
        msg: "audit: config reloaded",
      },
      {
        fields: {
          audit: true,
          path: "/etc/helr/bundle.mjs",
          trigger: "sighup",
          reason: "state url postgres://u:REDACTED@db failed",
        },
        msg: "audit: reload rejected",
      },
    ]);
  });

  it("is silent when the audit log is off; config lines follow log_config_changes", () => {
    const lines: Line[] = [];
    const log = { info: (fields: Record<string, unknown>, msg: string) => void lines.push({ fields, msg }) };
    configureAudit(log as unknown as Logger, {
      enabled: false,
      logCredentialAccess: true,
      logConfigChanges: true,
    });
    auditApiCall("audit: reload requested", { remote: "1.2.3.4" });
    configureAudit(log as unknown as Logger, {
      enabled: true,
      logCredentialAccess: true,
      logConfigChanges: false,
    });
    auditConfigReloaded("/b.mjs", "sighup");
    auditReloadRejected("/b.mjs", "bad", "sighup");
    auditApiCall("audit: reload requested", { remote: "1.2.3.4" });
    expect(lines.map((l) => l.msg)).toEqual(["audit: reload requested"]);
  });
});
