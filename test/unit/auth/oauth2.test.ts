import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { oauth2Auth } from "../../../runtime/auth/oauth2.ts";
import { REFRESH_TOKEN_BASE_KEY, REFRESH_TOKEN_KEY } from "../../../runtime/auth/refresh-token.ts";
import type { AuthContext } from "../../../runtime/auth/types.ts";
import type { OAuth2AuthSpec } from "../../../runtime/spec.ts";
import { type OAuthServer, type OAuthServerOptions, startOAuthServer } from "../../support/oauth-server.ts";
import { callApi, manualClock, memoryState, recordingSleep } from "./drive.ts";

let server: OAuthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: OAuthServerOptions): Promise<OAuthServer> {
  server = await startOAuthServer(options);
  return server;
}

function spec(tokenUrl: string, extra: Partial<OAuth2AuthSpec> = {}): OAuth2AuthSpec {
  return {
    type: "oauth2",
    tokenUrl,
    clientId: { env: "CLIENT_ID" },
    clientSecret: { env: "CLIENT_SECRET" },
    scopes: ["okta.logs.read"],
    clientAuth: "client_secret_post",
    dpop: false,
    refreshSkewSecs: 60,
    ...extra,
  };
}

const env = { CLIENT_ID: "helr-client", CLIENT_SECRET: "s3cret+/=&value" };
const tokenRequests = (s: OAuthServer) => s.records.filter((r) => r.path === "/oauth2/v1/token");

function pem(type: "rsa" | "ec"): { privatePem: string; publicPem: string } {
  const pair =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    privatePem: pair.privateKey.export({ type: type === "rsa" ? "pkcs1" : "sec1", format: "pem" }).toString(),
    publicPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

describe("oauth2 client_credentials", () => {
  it("client_secret_post: id and secret in the form, scopes space-joined, token cached", async () => {
    const s = await start({
      clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET, scopes: ["okta.logs.read", "x"] }],
    });
    const auth = oauth2Auth(spec(s.tokenUrl, { scopes: ["okta.logs.read", "x"] }));
    const ctx: AuthContext = { env, sourceId: "okta" };
    for (let i = 0; i < 3; i++) expect((await callApi(auth, s.apiUrl, ctx)).response.status).toBe(200);
    const tokens = tokenRequests(s);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.form).toMatchObject({
      grant_type: "client_credentials",
      client_id: "helr-client",
      client_secret: env.CLIENT_SECRET,
      scope: "okta.logs.read x",
    });
  });

  it("client_secret_basic: form-encoded id and secret in HTTP Basic, not in the body", async () => {
    const s = await start({ clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }] });
    const auth = oauth2Auth(spec(s.tokenUrl, { clientAuth: "client_secret_basic" }));
    const call = await callApi(auth, s.apiUrl, { env, sourceId: "okta" });
    expect(call.response.status).toBe(200);
    const token = tokenRequests(s)[0];
    expect(token?.headers.authorization).toMatch(/^Basic /);
    expect(token?.form?.client_secret).toBeUndefined();
    expect(token?.form?.client_id).toBeUndefined();
  });

  it("a wrong secret fails with the source, the token URL and the OAuth error, without the secret", async () => {
    const s = await start({ clients: [{ clientId: "helr-client", secret: "the-right-one" }] });
    const auth = oauth2Auth(spec(s.tokenUrl));
    const error = await auth
      .authorize({ method: "GET", url: s.apiUrl, headers: {} }, { env, sourceId: "okta" })
      .catch((e) => e);
    expect(error.message).toBe(
      `source "okta": oauth2 token request to ${s.tokenUrl} failed: HTTP 401 invalid_client: client authentication failed`,
    );
    expect(error.code).toBe("HELR_AUTH_TOKEN");
    expect(error.message).not.toContain(env.CLIENT_SECRET);
    expect(tokenRequests(s)).toHaveLength(1);
  });

  it.each(["rsa", "ec"] as const)(
    "private_key_jwt with an %s key: signed assertion the server verifies",
    async (type) => {
      const key = pem(type);
      const s = await start({
        clients: [{ clientId: "0oa-service", publicKey: key.publicPem, kid: "key-1" }],
      });
      const auth = oauth2Auth(
        spec(s.tokenUrl, { clientAuth: "private_key_jwt", clientPrivateKey: { env: "KEY" }, keyId: "key-1" }),
      );
      // Env vars often carry PEM with literal \n.
      const ctx = {
        env: { CLIENT_ID: "0oa-service", KEY: key.privatePem.replace(/\n/g, "\\n") },
        sourceId: "okta",
      };
      expect((await callApi(auth, s.apiUrl, ctx)).response.status).toBe(200);
      const form = tokenRequests(s)[0]?.form ?? {};
      expect(form.client_assertion_type).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      expect(form.client_secret).toBeUndefined();
      const header = decodeProtectedHeader(form.client_assertion ?? "");
      const claims = decodeJwt(form.client_assertion ?? "");
      expect(header).toMatchObject({ alg: type === "rsa" ? "RS256" : "ES256", kid: "key-1" });
      expect(claims).toMatchObject({ iss: "0oa-service", sub: "0oa-service", aud: s.tokenUrl });
      expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(300);
    },
  );

  it("private_key_jwt: a key the server does not know is rejected with invalid_client", async () => {
    const registered = pem("rsa");
    const other = pem("rsa");
    const s = await start({ clients: [{ clientId: "0oa-service", publicKey: registered.publicPem }] });
    const auth = oauth2Auth(
      spec(s.tokenUrl, { clientAuth: "private_key_jwt", clientPrivateKey: { env: "KEY" } }),
    );
    const ctx = { env: { CLIENT_ID: "0oa-service", KEY: other.privatePem }, sourceId: "okta" };
    await expect(callApi(auth, s.apiUrl, ctx)).rejects.toThrow(
      /HTTP 400 invalid_client: client_assertion rejected: signature verification failed/,
    );
  });

  it("private_key_jwt: the wrong kid is rejected by the server", async () => {
    const key = pem("ec");
    const s = await start({ clients: [{ clientId: "c", publicKey: key.publicPem, kid: "registered" }] });
    const auth = oauth2Auth(
      spec(s.tokenUrl, { clientAuth: "private_key_jwt", clientPrivateKey: { env: "KEY" }, keyId: "other" }),
    );
    await expect(
      callApi(auth, s.apiUrl, { env: { CLIENT_ID: "c", KEY: key.privatePem }, sourceId: "o" }),
    ).rejects.toThrow(/unknown kid/);
  });

  it("private_key_jwt: a bad PEM names the source and where the key came from, not its text", async () => {
    const auth = oauth2Auth(
      spec("http://127.0.0.1:9/token", { clientAuth: "private_key_jwt", clientPrivateKey: { env: "KEY" } }),
    );
    const error = await auth
      .authorize(
        { method: "GET", url: "http://x/", headers: {} },
        {
          env: {
            CLIENT_ID: "c",
            KEY: "-----BEGIN PRIVATE KEY-----\nnot-a-key-SECRETBITS\n-----END PRIVATE KEY-----",
          },
          sourceId: "okta",
        },
      )
      .catch((e) => e);
    expect(error.message).toMatch(
      /^source "okta": oauth2 client private key \(environment variable KEY\) is not a PEM private key/,
    );
    expect(error.message).not.toContain("SECRETBITS");
  });

  it("refreshes refreshSkewSecs before expiry, and not before", async () => {
    const clock = manualClock();
    const s = await start({
      clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }],
      tokenLifetimeSecs: 600,
      now: clock.now,
    });
    const auth = oauth2Auth(spec(s.tokenUrl, { refreshSkewSecs: 120 }), {
      now: clock.now,
      sleep: recordingSleep().sleep,
    });
    const ctx = { env, sourceId: "okta" };
    await callApi(auth, s.apiUrl, ctx);
    clock.advance(479_000);
    await callApi(auth, s.apiUrl, ctx);
    expect(tokenRequests(s)).toHaveLength(1);
    clock.advance(2_000);
    await callApi(auth, s.apiUrl, ctx);
    expect(tokenRequests(s)).toHaveLength(2);
  });

  it("a 401 from the API invalidates the token and retries once with a new one", async () => {
    const s = await start({ clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }] });
    const auth = oauth2Auth(spec(s.tokenUrl));
    const ctx = { env, sourceId: "okta" };
    await callApi(auth, s.apiUrl, ctx);
    s.revokeAccessTokens();
    const call = await callApi(auth, s.apiUrl, ctx);
    expect(call.response.status).toBe(200);
    expect(call.sent).toHaveLength(2);
    expect(tokenRequests(s)).toHaveLength(2);
    expect(call.sent[0]?.headers.authorization).not.toBe(call.sent[1]?.headers.authorization);
  });

  it("concurrent requests share one token fetch", async () => {
    const s = await start({ clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }] });
    const auth = oauth2Auth(spec(s.tokenUrl));
    const ctx = { env, sourceId: "okta" };
    await Promise.all([1, 2, 3, 4].map(() => callApi(auth, s.apiUrl, ctx)));
    expect(tokenRequests(s)).toHaveLength(1);
  });

  it("re-reads the client secret from its file on each token fetch; reset() drops the cached token", async () => {
    const dir = mkdtempSync(join(tmpdir(), "helr-oauth-"));
    const file = join(dir, "secret");
    writeFileSync(file, "old-secret\n");
    const s = await start({ clients: [{ clientId: "helr-client", secret: "new-secret" }] });
    const auth = oauth2Auth(spec(s.tokenUrl, { clientSecret: { file } }));
    const ctx = { env, sourceId: "okta" };
    await expect(callApi(auth, s.apiUrl, ctx)).rejects.toThrow(/invalid_client/);
    writeFileSync(file, "new-secret\n");
    expect((await callApi(auth, s.apiUrl, ctx)).response.status).toBe(200);
    auth.reset?.();
    await callApi(auth, s.apiUrl, ctx);
    expect(tokenRequests(s).map((r) => r.status)).toEqual([401, 200, 200]);
    rmSync(dir, { recursive: true });
  });
});

describe("oauth2 token endpoint retries", () => {
  it("retries 503 and 429 with backoff, honouring a longer Retry-After", async () => {
    const s = await start({ clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }] });
    s.failTokenRequests(1, 503);
    s.failTokenRequests(1, 429, { "retry-after": "3" });
    const sleeper = recordingSleep();
    const auth = oauth2Auth(spec(s.tokenUrl), { now: Date.now, sleep: sleeper.sleep });
    expect((await callApi(auth, s.apiUrl, { env, sourceId: "okta" })).response.status).toBe(200);
    expect(sleeper.delays).toEqual([500, 3000]);
    expect(tokenRequests(s).map((r) => r.status)).toEqual([503, 429, 200]);
  });

  it("gives up after 3 attempts with a message naming the attempts", async () => {
    const s = await start({ clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }] });
    s.failTokenRequests(5, 502);
    const auth = oauth2Auth(spec(s.tokenUrl), { now: Date.now, sleep: recordingSleep().sleep });
    await expect(callApi(auth, s.apiUrl, { env, sourceId: "okta" })).rejects.toThrow(
      `source "okta": oauth2 token request to ${s.tokenUrl} failed: HTTP 502 temporarily_unavailable: injected failure (after 3 attempts)`,
    );
    expect(tokenRequests(s)).toHaveLength(3);
  });

  it("does not wait for a Retry-After beyond a minute", async () => {
    const s = await start({ clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }] });
    s.failTokenRequests(1, 429, { "retry-after": "3600" });
    const sleeper = recordingSleep();
    const auth = oauth2Auth(spec(s.tokenUrl), { now: Date.now, sleep: sleeper.sleep });
    await expect(callApi(auth, s.apiUrl, { env, sourceId: "okta" })).rejects.toThrow(/retry after 3600 s/);
    expect(sleeper.delays).toEqual([]);
  });

  it("retries transport errors (nothing listening) and then names the cause", async () => {
    const sleeper = recordingSleep();
    const auth = oauth2Auth(spec("http://127.0.0.1:9/oauth2/v1/token"), {
      now: Date.now,
      sleep: sleeper.sleep,
    });
    await expect(
      auth.authorize({ method: "GET", url: "http://127.0.0.1:9/", headers: {} }, { env, sourceId: "okta" }),
    ).rejects.toThrow(
      /^source "okta": oauth2 token request to http:\/\/127\.0\.0\.1:9\/oauth2\/v1\/token failed: .*ECONNREFUSED.*\(after 3 attempts\)/,
    );
    expect(sleeper.delays).toEqual([500, 1000]);
  });
});

describe("oauth2 refresh_token grant", () => {
  const refreshSpec = (tokenUrl: string) => spec(tokenUrl, { refreshToken: { env: "REFRESH" }, scopes: [] });

  it("persists a rotated refresh token and uses it for the next fetch", async () => {
    const s = await start({
      clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }],
      refreshTokens: { "rt-configured": "helr-client" },
      rotateRefreshTokens: true,
      tokenLifetimeSecs: 3600,
    });
    const state = memoryState();
    const auth = oauth2Auth(refreshSpec(s.tokenUrl));
    const ctx: AuthContext = { env: { ...env, REFRESH: "rt-configured" }, sourceId: "okta", state };
    await callApi(auth, s.apiUrl, ctx);
    const rotated = state.data[REFRESH_TOKEN_KEY];
    expect(rotated).toMatch(/^rt-/);
    expect(rotated).not.toBe("rt-configured");
    expect(state.data[REFRESH_TOKEN_BASE_KEY]).toMatch(/^sha256:[0-9a-f]{16}$/);
    auth.reset?.();
    await callApi(auth, s.apiUrl, ctx);
    const forms = tokenRequests(s).map((r) => r.form?.refresh_token);
    expect(forms).toEqual(["rt-configured", rotated]);
    expect(tokenRequests(s).every((r) => r.status === 200)).toBe(true);
  });

  it("prefers the stored token on a new start (a fresh authenticator)", async () => {
    const s = await start({
      clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }],
      refreshTokens: { "rt-configured": "helr-client" },
      rotateRefreshTokens: true,
    });
    const state = memoryState();
    const ctx: AuthContext = { env: { ...env, REFRESH: "rt-configured" }, sourceId: "okta", state };
    await callApi(oauth2Auth(refreshSpec(s.tokenUrl)), s.apiUrl, ctx);
    // "Restart": a new authenticator, same state store; the configured token is dead by now.
    expect((await callApi(oauth2Auth(refreshSpec(s.tokenUrl)), s.apiUrl, ctx)).response.status).toBe(200);
    expect(tokenRequests(s).map((r) => r.status)).toEqual([200, 200]);
  });

  it("a newly configured refresh token wins over the stored chain of the old one", async () => {
    const s = await start({
      clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }],
      refreshTokens: { "rt-reissued": "helr-client" },
    });
    const state = memoryState({
      [REFRESH_TOKEN_KEY]: "rt-stale",
      [REFRESH_TOKEN_BASE_KEY]: "sha256:0000000000000000",
    });
    const ctx: AuthContext = { env: { ...env, REFRESH: "rt-reissued" }, sourceId: "okta", state };
    expect((await callApi(oauth2Auth(refreshSpec(s.tokenUrl)), s.apiUrl, ctx)).response.status).toBe(200);
    expect(tokenRequests(s)[0]?.form?.refresh_token).toBe("rt-reissued");
  });

  it("without a state store the rotated token is kept in memory", async () => {
    const s = await start({
      clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }],
      refreshTokens: { "rt-configured": "helr-client" },
      rotateRefreshTokens: true,
    });
    const auth = oauth2Auth(refreshSpec(s.tokenUrl));
    const ctx: AuthContext = { env: { ...env, REFRESH: "rt-configured" }, sourceId: "okta" };
    await callApi(auth, s.apiUrl, ctx);
    s.revokeAccessTokens();
    expect((await callApi(auth, s.apiUrl, ctx)).response.status).toBe(200);
    expect(tokenRequests(s).map((r) => r.status)).toEqual([200, 200]);
  });

  it("a public client (no secret) sends client_id only", async () => {
    const s = await start({ clients: [{ clientId: "public-app" }], refreshTokens: { "rt-1": "public-app" } });
    const auth = oauth2Auth({
      ...refreshSpec(s.tokenUrl),
      clientSecret: undefined,
    } as unknown as OAuth2AuthSpec);
    const call = await callApi(auth, s.apiUrl, {
      env: { CLIENT_ID: "public-app", REFRESH: "rt-1" },
      sourceId: "app",
    });
    expect(call.response.status).toBe(200);
    expect(tokenRequests(s)[0]?.form).toEqual({
      grant_type: "refresh_token",
      refresh_token: "rt-1",
      client_id: "public-app",
    });
  });

  it("an expired refresh token reports invalid_grant without the token", async () => {
    const s = await start({ clients: [{ clientId: "helr-client", secret: env.CLIENT_SECRET }] });
    const auth = oauth2Auth(refreshSpec(s.tokenUrl));
    const error = await callApi(auth, s.apiUrl, {
      env: { ...env, REFRESH: "rt-expired-xyz" },
      sourceId: "g",
    }).catch((e) => e);
    expect(error.message).toMatch(/HTTP 400 invalid_grant: Token has been expired or revoked\.$/);
    expect(error.message).not.toContain("rt-expired-xyz");
  });
});
