import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { auditConfigLoaded, configureAudit } from "../../../runtime/audit.ts";
import { apiKeyAuth } from "../../../runtime/auth/api-key.ts";
import { basicAuth } from "../../../runtime/auth/basic.ts";
import { bearerAuth } from "../../../runtime/auth/bearer.ts";
import type { OutgoingRequest } from "../../../runtime/auth/types.ts";

const request = (url = "https://api.example.com/v1/logs?limit=10"): OutgoingRequest => ({
  method: "GET",
  url,
  headers: {},
});

afterEach(() => configureAudit(undefined, undefined));

describe("api_key", () => {
  it("sends the key in the named header", async () => {
    const auth = apiKeyAuth({ type: "api_key", key: { env: "K" }, location: "header", name: "X-API-Key" });
    const req = request();
    const secrets = await auth.authorize(req, { env: { K: "key-123456" }, sourceId: "s" });
    expect(req.headers["x-api-key"]).toBe("key-123456");
    expect(req.url).toBe("https://api.example.com/v1/logs?limit=10");
    expect(secrets).toEqual(["key-123456"]);
  });

  it("sends the key as a query parameter, encoded, replacing an existing value", async () => {
    const auth = apiKeyAuth({ type: "api_key", key: { env: "K" }, location: "query", name: "api_key" });
    const req = request("https://api.example.com/v1/logs?api_key=old&limit=10");
    await auth.authorize(req, { env: { K: "a&b=c d" }, sourceId: "s" });
    const url = new URL(req.url);
    expect(url.searchParams.getAll("api_key")).toEqual(["a&b=c d"]);
    expect(url.searchParams.get("limit")).toBe("10");
    expect(req.headers).toEqual({});
  });

  it("re-reads a key file on every request (rotation without restart)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "helr-key-"));
    const file = join(dir, "key");
    writeFileSync(file, "first-key\n");
    const auth = apiKeyAuth({ type: "api_key", key: { file, env: "K" }, location: "header", name: "X-Key" });
    const a = request();
    await auth.authorize(a, { env: { K: "env-loses" }, sourceId: "s" });
    writeFileSync(file, "second-key\n");
    const b = request();
    await auth.authorize(b, { env: {}, sourceId: "s" });
    expect([a.headers["x-key"], b.headers["x-key"]]).toEqual(["first-key", "second-key"]);
    rmSync(dir, { recursive: true });
  });
});

describe("basic", () => {
  it("encodes user:password as UTF-8 base64 and returns the encoded pair as a secret", async () => {
    const auth = basicAuth({ type: "basic", user: { env: "U" }, password: { env: "P" } });
    const req = request();
    const secrets = await auth.authorize(req, { env: { U: "jörg", P: "pä:ss" }, sourceId: "s" });
    const encoded = Buffer.from("jörg:pä:ss", "utf8").toString("base64");
    expect(req.headers.authorization).toBe(`Basic ${encoded}`);
    expect(secrets).toContain(encoded);
    expect(secrets).toContain("pä:ss");
  });

  it("uses an empty password when none is configured (Tailscale: API key as user)", async () => {
    const auth = basicAuth({ type: "basic", user: { env: "TS_KEY" } });
    const req = request();
    await auth.authorize(req, { env: { TS_KEY: "tskey-api-abc" }, sourceId: "ts" });
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from("tskey-api-abc:").toString("base64")}`);
  });

  it("treats a password variable that is set but empty as an empty password", async () => {
    const auth = basicAuth({ type: "basic", user: { env: "U" }, password: { env: "P" } });
    const req = request();
    await auth.authorize(req, { env: { U: "user", P: "" }, sourceId: "s" });
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from("user:").toString("base64")}`);
  });

  it("rejects a user containing a colon, naming the source", async () => {
    const auth = basicAuth({ type: "basic", user: { env: "U" } });
    await expect(auth.authorize(request(), { env: { U: "a:b" }, sourceId: "tail" })).rejects.toThrow(
      /source "tail": basic auth user must not contain ":"/,
    );
  });
});

describe("audit", () => {
  function capture(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const log = pino({ level: "info" }, stream);
    return {
      log,
      lines: () =>
        chunks
          .join("")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
    };
  }

  it("logs each credential read with source and kind, never the value", async () => {
    const { log, lines } = capture();
    configureAudit(log, { enabled: true, logCredentialAccess: true, logConfigChanges: true });
    await bearerAuth({ type: "bearer", token: { env: "T" }, prefix: "SSWS" }).authorize(request(), {
      env: { T: "tok-AUDIT-VALUE" },
      sourceId: "okta",
    });
    await basicAuth({ type: "basic", user: { env: "U" }, password: { env: "P" } }).authorize(request(), {
      env: { U: "usr-AUDIT", P: "pw-AUDIT-VALUE" },
      sourceId: "ts",
    });
    const got = lines().map((l) => [l.msg, l.source, l.kind]);
    expect(got).toEqual([
      ["audit: credential accessed", "okta", "bearer_token"],
      ["audit: credential accessed", "ts", "basic_user"],
      ["audit: credential accessed", "ts", "basic_password"],
    ]);
    expect(JSON.stringify(lines())).not.toMatch(/AUDIT/);
  });

  it("logs nothing when audit is disabled or credential logging is off", async () => {
    const { log, lines } = capture();
    const auth = bearerAuth({ type: "bearer", token: { env: "T" }, prefix: "Bearer" });
    configureAudit(log, { enabled: false, logCredentialAccess: true, logConfigChanges: true });
    await auth.authorize(request(), { env: { T: "x-token" }, sourceId: "s" });
    configureAudit(log, { enabled: true, logCredentialAccess: false, logConfigChanges: true });
    await auth.authorize(request(), { env: { T: "x-token" }, sourceId: "s" });
    expect(lines()).toEqual([]);
  });

  it("does not audit a read that failed", async () => {
    const { log, lines } = capture();
    configureAudit(log, { enabled: true, logCredentialAccess: true, logConfigChanges: true });
    const auth = bearerAuth({ type: "bearer", token: { env: "MISSING" }, prefix: "Bearer" });
    await expect(auth.authorize(request(), { env: {}, sourceId: "s" })).rejects.toThrow(/MISSING is not set/);
    expect(lines()).toEqual([]);
  });
});

describe("audit of config loads", () => {
  it("logs config loaded / reloaded with the path when logConfigChanges is on", async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const log = pino({ level: "info" }, stream);
    configureAudit(log, { enabled: true, logCredentialAccess: true, logConfigChanges: true });
    auditConfigLoaded("helr.yaml");
    auditConfigLoaded("helr.yaml", true);
    configureAudit(log, { enabled: true, logCredentialAccess: true, logConfigChanges: false });
    auditConfigLoaded("ignored.yaml");
    const lines = chunks
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.msg, l.path, l.audit])).toEqual([
      ["audit: config loaded", "helr.yaml", true],
      ["audit: config reloaded", "helr.yaml", true],
    ]);
  });
});
