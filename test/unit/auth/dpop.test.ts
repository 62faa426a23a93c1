import { createHash, generateKeyPairSync } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { oauth2Auth } from "../../../runtime/auth/oauth2.ts";
import type { AuthContext } from "../../../runtime/auth/types.ts";
import { sendHttp } from "../../../runtime/http/client.ts";
import type { OAuth2AuthSpec } from "../../../runtime/spec.ts";
import { type OAuthServer, type OAuthServerOptions, startOAuthServer } from "../../support/oauth-server.ts";
import { callApi } from "./drive.ts";

let server: OAuthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const privatePem = key.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const ctx: AuthContext = { env: { CLIENT_ID: "0oa-okta-service", KEY: privatePem }, sourceId: "okta" };

async function okta(
  options: Partial<OAuthServerOptions> = {},
): Promise<{ s: OAuthServer; spec: OAuth2AuthSpec }> {
  server = await startOAuthServer({
    clients: [
      { clientId: "0oa-okta-service", publicKey: key.publicKey, kid: "k1", scopes: ["okta.logs.read"] },
    ],
    dpop: "required",
    ...options,
  });
  const spec: OAuth2AuthSpec = {
    type: "oauth2",
    tokenUrl: server.tokenUrl,
    clientId: { env: "CLIENT_ID" },
    clientPrivateKey: { env: "KEY" },
    keyId: "k1",
    scopes: ["okta.logs.read"],
    clientAuth: "private_key_jwt",
    dpop: true,
    refreshSkewSecs: 60,
  };
  return { s: server, spec };
}

const byPath = (s: OAuthServer, path: string) => s.records.filter((r) => r.path === path);

describe("DPoP (RFC 9449) against a strict AS and RS", () => {
  it("Okta flow: AS nonce challenge, retry with new proof AND new assertion, DPoP-bound token, API proof with ath", async () => {
    const { s, spec } = await okta({ asNonce: true });
    const auth = oauth2Auth(spec);
    const call = await callApi(auth, `${s.apiUrl}?since=2024-01-01T00:00:00Z&limit=2#frag`, ctx);
    expect(call.response.status).toBe(200);
    const tokens = byPath(s, "/oauth2/v1/token");
    expect(tokens.map((r) => [r.status, r.error])).toEqual([
      [400, "use_dpop_nonce"],
      [200, undefined],
    ]);
    const [first, second] = tokens.map((r) => String(r.headers.dpop));
    expect(decodeJwt(first ?? "").nonce).toBeUndefined();
    expect(decodeJwt(second ?? "").nonce).toBeDefined();
    expect(decodeJwt(first ?? "").jti).not.toBe(decodeJwt(second ?? "").jti);
    expect(tokens[0]?.form?.client_assertion).not.toBe(tokens[1]?.form?.client_assertion);
    // The API request: DPoP scheme, proof over GET and the URL without query or fragment, ath of the token.
    const sent = call.sent[0];
    const token = sent?.headers.authorization?.replace(/^DPoP /, "") ?? "";
    expect(sent?.headers.authorization).toMatch(/^DPoP ey/);
    const proof = sent?.headers.dpop ?? "";
    const header = decodeProtectedHeader(proof);
    expect(header).toMatchObject({ typ: "dpop+jwt", alg: "ES256", jwk: { kty: "EC", crv: "P-256" } });
    expect(Object.keys(header.jwk ?? {}).sort()).toEqual(["crv", "kty", "x", "y"]);
    const claims = decodeJwt(proof);
    expect(claims).toMatchObject({
      htm: "GET",
      htu: s.apiUrl,
      ath: createHash("sha256").update(token).digest("base64url"),
    });
    expect(typeof claims.iat).toBe("number");
    expect(call.secrets).toContain(token);
  });

  it("caches the AS nonce: a second token fetch needs no challenge", async () => {
    const { s, spec } = await okta({ asNonce: true });
    const auth = oauth2Auth(spec);
    await callApi(auth, s.apiUrl, ctx);
    auth.reset?.();
    // reset() forgets nonces too, so this fetch is challenged again…
    await callApi(auth, s.apiUrl, ctx);
    s.revokeAccessTokens();
    // …but a 401-driven refetch reuses the nonce learned from the last success.
    await callApi(auth, s.apiUrl, ctx);
    expect(byPath(s, "/oauth2/v1/token").map((r) => r.status)).toEqual([400, 200, 400, 200, 200]);
  });

  it("a rotated AS nonce costs exactly one challenge", async () => {
    const { s, spec } = await okta({ asNonce: true });
    const auth = oauth2Auth(spec);
    await callApi(auth, s.apiUrl, ctx);
    s.rotateNonce("as");
    s.revokeAccessTokens();
    expect((await callApi(auth, s.apiUrl, ctx)).response.status).toBe(200);
    expect(byPath(s, "/oauth2/v1/token").map((r) => r.status)).toEqual([400, 200, 400, 200]);
  });

  it("RS nonce: 401 use_dpop_nonce → onUnauthorized caches it and the retry succeeds; nonces stay separate", async () => {
    const { s, spec } = await okta({ asNonce: true, rsNonce: true });
    const auth = oauth2Auth(spec);
    const call = await callApi(auth, s.apiUrl, ctx);
    expect(call.response.status).toBe(200);
    const api = byPath(s, "/api/v1/logs");
    expect(api.map((r) => [r.status, r.error])).toEqual([
      [401, "use_dpop_nonce"],
      [200, undefined],
    ]);
    // Same token both times: a nonce challenge is not a reason to fetch a new one.
    expect(call.sent[0]?.headers.authorization).toBe(call.sent[1]?.headers.authorization);
    expect(byPath(s, "/oauth2/v1/token").filter((r) => r.status === 200)).toHaveLength(1);
    // The RS nonce is cached from then on (and refreshed from each response's DPoP-Nonce).
    await callApi(auth, s.apiUrl, ctx);
    expect(byPath(s, "/api/v1/logs").map((r) => r.status)).toEqual([401, 200, 200]);
    const tokenNonce = decodeJwt(String(byPath(s, "/oauth2/v1/token")[1]?.headers.dpop)).nonce;
    const apiNonce = decodeJwt(call.sent[1]?.headers.dpop ?? "").nonce;
    expect(tokenNonce).toBeDefined();
    expect(apiNonce).toBeDefined();
    expect(tokenNonce).not.toBe(apiNonce);
  });

  it("retries the token request only once when the AS keeps challenging", async () => {
    const { s, spec } = await okta({ asNonce: true });
    const auth = oauth2Auth(spec);
    let calls = 0;
    // A server that rotates its nonce before every request: the client must not loop.
    const send: typeof sendHttp = async (req) => {
      if (req.url === s.tokenUrl) {
        calls++;
        s.rotateNonce("as");
      }
      return sendHttp(req);
    };
    await expect(callApi(auth, s.apiUrl, { ...ctx, send })).rejects.toThrow(
      /HTTP 400 use_dpop_nonce: Authorization server requires nonce in DPoP proof\./,
    );
    expect(calls).toBe(2);
  });

  it("the mock RS rejects a DPoP-bound token sent with the Bearer scheme", async () => {
    const { s, spec } = await okta();
    const auth = oauth2Auth(spec);
    const request = { method: "GET" as const, url: s.apiUrl, headers: {} as Record<string, string> };
    await auth.authorize(request, ctx);
    const token = request.headers.authorization?.replace(/^DPoP /, "") ?? "";
    const asBearer = await sendHttp({
      method: "GET",
      url: s.apiUrl,
      headers: { authorization: `Bearer ${token}`, dpop: request.headers.dpop ?? "" },
      timeoutMs: 5000,
    });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get("www-authenticate")?.[0]).toMatch(/^DPoP error="invalid_token"/);
  });

  it("the mock RS rejects a replayed proof and one whose ath or key does not match", async () => {
    const { s, spec } = await okta();
    const auth = oauth2Auth(spec);
    const request = { method: "GET" as const, url: s.apiUrl, headers: {} as Record<string, string> };
    await auth.authorize(request, ctx);
    const send = (headers: Record<string, string>) =>
      sendHttp({ method: "GET", url: s.apiUrl, headers, timeoutMs: 5000 });
    expect((await send(request.headers)).status).toBe(200);
    const replay = await send(request.headers);
    expect([replay.status, JSON.parse(replay.body.toString()).error_description]).toEqual([
      401,
      "jti replayed",
    ]);
    // A proof made by a second authenticator (another key) with this token.
    const other = oauth2Auth(spec);
    const foreign = { method: "GET" as const, url: s.apiUrl, headers: {} as Record<string, string> };
    await other.authorize(foreign, ctx);
    const mixed = await send({
      authorization: request.headers.authorization ?? "",
      dpop: foreign.headers.dpop ?? "",
    });
    expect(JSON.parse(mixed.body.toString()).error_description).toBe("ath does not match the access token");
  });

  it("each API request gets a fresh proof (unique jti, even within one second)", async () => {
    const { s, spec } = await okta();
    const auth = oauth2Auth(spec);
    const jtis = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      const call = await callApi(auth, s.apiUrl, ctx);
      expect(call.response.status).toBe(200);
      jtis.add(decodeJwt(call.sent[0]?.headers.dpop ?? "").jti);
    }
    expect(jtis.size).toBe(5);
  });

  it("falls back to Bearer when the server issues an unbound token", async () => {
    server = await startOAuthServer({ clients: [{ clientId: "c", secret: "client-secret" }], dpop: "off" });
    const auth = oauth2Auth({
      type: "oauth2",
      tokenUrl: server.tokenUrl,
      clientId: { env: "ID" },
      clientSecret: { env: "SECRET" },
      scopes: [],
      clientAuth: "client_secret_post",
      dpop: true,
      refreshSkewSecs: 60,
    });
    // The proof on the token request is verified even when not required, but binding needs a jkt:
    // this server binds whenever a proof is present, so strip it to simulate an AS without DPoP.
    const send: typeof sendHttp = (req) => {
      const { dpop: _, ...headers } = req.headers;
      return sendHttp({ ...req, headers });
    };
    const call = await callApi(auth, server.apiUrl, {
      env: { ID: "c", SECRET: "client-secret" },
      sourceId: "x",
      send,
    });
    expect(call.response.status).toBe(200);
    expect(call.sent[0]?.headers.authorization).toMatch(/^Bearer /);
    expect(call.sent[0]?.headers.dpop).toBeUndefined();
  });
});

describe("DPoP nonce challenges without a nonce", () => {
  it("a 401 use_dpop_nonce without a DPoP-Nonce header is not retried", async () => {
    const { s, spec } = await okta();
    const auth = oauth2Auth(spec);
    await auth.authorize({ method: "GET", url: s.apiUrl, headers: {} }, ctx);
    const challenge = (headers: Record<string, string>) => ({
      status: 401,
      headers: new Map(Object.entries(headers).map(([k, v]) => [k, [v]])),
      body: Buffer.from(""),
      url: s.apiUrl,
    });
    const www = { "www-authenticate": 'DPoP error="use_dpop_nonce"' };
    expect(await auth.onUnauthorized?.(challenge(www), ctx)).toBe(false);
    expect(await auth.onUnauthorized?.(challenge({ ...www, "dpop-nonce": "n-1" }), ctx)).toBe(true);
    // Neither fetched a new token: a nonce challenge is not an expired token.
    expect(byPath(s, "/oauth2/v1/token").filter((r) => r.status === 200)).toHaveLength(1);
  });
});
