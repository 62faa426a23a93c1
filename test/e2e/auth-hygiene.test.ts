/**
 * Secret hygiene: distinctive secrets are planted in every credential Helr reads, the collector is run
 * through pollSource (and the authenticators directly) against servers that echo whatever they
 * receive into error bodies, and every output — log lines at trace level with audit on, error
 * messages, NDJSON, state written — is searched for each secret in every encoding it travels in.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineSource } from "../../runtime/app.ts";
import { configureAudit } from "../../runtime/audit.ts";
import { apiKeyAuth } from "../../runtime/auth/api-key.ts";
import { basicAuth } from "../../runtime/auth/basic.ts";
import { bearerAuth } from "../../runtime/auth/bearer.ts";
import { oauth2Auth } from "../../runtime/auth/oauth2.ts";
import type { AuthContext, Authenticator } from "../../runtime/auth/types.ts";
import { pollSource } from "../../runtime/engine/poll.ts";
import { tlsConnectOptions } from "../../runtime/http/tls.ts";
import type { Sink } from "../../runtime/output/sink.ts";
import { singleRequest } from "../../runtime/paginate/single.ts";
import type { AuthSpec, OAuth2AuthSpec } from "../../runtime/spec.ts";
import { memoryStore } from "../../runtime/state/memory.ts";
import type { StateStore } from "../../runtime/state/store.ts";
import { type OAuthServer, startOAuthServer } from "../support/oauth-server.ts";
import { pollDeps } from "../support/poll-deps.ts";
import { sinkText } from "../support/sink-text.ts";
import { sourceSpec } from "../support/source-spec.ts";

const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PRIVATE_KEY = key.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

const SECRETS = {
  bearer: "HYGIENE-bearer-token-7f3a91e2",
  apiKey: "HYGIENE api+key/aa11&bb22=",
  basicUser: "hygiene-user-0b5e",
  basicPassword: "HYGIENE-basic-password-5e5e",
  clientSecret: "HYGIENE client+secret/91bc&x=",
  refreshToken: "HYGIENE-refresh-token-c0de42",
  privateKey: PRIVATE_KEY,
};

const ENV = {
  BEARER: SECRETS.bearer,
  API_KEY: SECRETS.apiKey,
  BASIC_USER: SECRETS.basicUser,
  BASIC_PASSWORD: SECRETS.basicPassword,
  CLIENT_ID: "hygiene-client",
  JWT_ID: "hygiene-jwt",
  CLIENT_SECRET: SECRETS.clientSecret,
  REFRESH: SECRETS.refreshToken,
  PRIVATE_KEY: SECRETS.privateKey,
  TLS_KEY: SECRETS.privateKey.replace("PRIVATE KEY-----\n", "PRIVATE KEY-----\nBROKEN"),
};

const WINDOW = 20;

/** Every form a secret can take on the wire or in text, and every 20-character piece of each. */
function needles(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    Buffer.from(secret).toString("base64"),
    JSON.stringify(secret).slice(1, -1),
  ]);
  // A cut-off secret leaks too: any 20 characters of it (PEM armour lines aside) count as found.
  const windows = new Set<string>();
  for (const form of forms) {
    for (let i = 0; i + WINDOW <= form.length; i++) {
      const part = form.slice(i, i + WINDOW);
      if (!part.includes("-----") && !part.includes("\n") && !part.includes("\\n")) windows.add(part);
    }
    if (form.length < WINDOW) windows.add(form);
  }
  return [...windows];
}

/** An API that echoes the request (URL, headers, body) into its error bodies. */
let echo: Server;
let echoUrl = "";
let oauth: OAuthServer;
const outputs = {
  logs: [] as string[],
  errors: [] as string[],
  ndjson: [] as string[],
  state: [] as string[],
};
const log = pino(
  { level: "trace" },
  new Writable({
    write(chunk, _enc, done) {
      outputs.logs.push(String(chunk));
      done();
    },
  }),
);

beforeAll(async () => {
  configureAudit(log, { enabled: true, logCredentialAccess: true, logConfigChanges: true });
  echo = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen = JSON.stringify({
        body: Buffer.concat(chunks).toString(),
        url: req.url,
        headers: req.headers,
      });
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/ok") {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end('[{"id":"1","published":"2024-05-21T13:00:00Z"}]');
      } else if (path === "/token") {
        res
          .writeHead(400, { "content-type": "application/json" })
          .end(JSON.stringify({ error: "invalid_client", error_description: seen }));
      } else {
        const status = Number(path.slice(1)) || 500;
        res.writeHead(status, { "content-type": "application/json" }).end(seen);
      }
    });
  });
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  oauth = await startOAuthServer({
    clients: [
      { clientId: "hygiene-client", secret: SECRETS.clientSecret },
      { clientId: "hygiene-jwt", publicKey: key.publicKey },
    ],
    refreshTokens: { [SECRETS.refreshToken]: "hygiene-client" },
    rotateRefreshTokens: true,
    dpop: "off",
    asNonce: true,
    rsNonce: true,
  });
});

afterAll(async () => {
  configureAudit(undefined, undefined);
  await oauth.close();
  await new Promise<void>((r) => echo.close(() => r()));
});

function sink(): Sink {
  return {
    async write(text) {
      outputs.ndjson.push(sinkText(text));
    },
    async flush() {},
    async close() {},
  };
}

/** One pass of a single-request source; a failure's message is collected, not thrown. */
async function poll(
  id: string,
  url: string,
  auth: AuthSpec,
  factory: (spec: never) => Authenticator,
  store: StateStore,
): Promise<void> {
  const spec = sourceSpec({ strategy: "single" }, { id, url, auth });
  const source = defineSource(spec as never, { auth: factory as never, pagination: singleRequest as never });
  try {
    await pollSource(source, pollDeps({ store, sink: sink(), env: ENV, log, now: () => new Date() }));
  } catch (error) {
    outputs.errors.push((error as Error).message, String((error as Error).stack));
  }
}

const oauth2 = (tokenUrl: string, extra: Partial<OAuth2AuthSpec> = {}): OAuth2AuthSpec => ({
  type: "oauth2",
  tokenUrl,
  clientId: { env: "CLIENT_ID" },
  clientSecret: { env: "CLIENT_SECRET" },
  scopes: [],
  clientAuth: "client_secret_post",
  dpop: false,
  refreshSkewSecs: 60,
  ...extra,
});

/** Each planted secret (and each access token the mock issued) found in any output, as `name in output`. */
function leaks(): string {
  const planted: Array<[string, string]> = [
    ...Object.entries(SECRETS),
    ["basic pair", `${SECRETS.basicUser}:${SECRETS.basicPassword}`],
    // A JWT's header segment ({"alg","typ"}) is public; the rest of an access token is not.
    ...oauth.issued.map((t, i): [string, string] => [`access token ${i}`, t.slice(t.indexOf(".") + 1)]),
  ];
  const found = new Set<string>();
  for (const [output, texts] of Object.entries(outputs)) {
    const text = texts.join("\n");
    for (const [name, secret] of planted) {
      if (needles(secret).some((needle) => text.includes(needle))) found.add(`${name} in ${output}`);
    }
  }
  return [...found].join(", ");
}

describe("no secret reaches any output", () => {
  it("runs every credential flow, failing and succeeding, and finds no secret anywhere", async () => {
    const store = await memoryStore({ path: "" });
    // Static credentials: success, then servers that echo the request into the error body.
    const bearer = { type: "bearer", token: { env: "BEARER" }, prefix: "Bearer" } as const;
    await poll("bearer-ok", `${echoUrl}/ok`, bearer, bearerAuth as never, store);
    await poll("bearer-401", `${echoUrl}/401`, bearer, bearerAuth as never, store);
    const apiKey = { type: "api_key", key: { env: "API_KEY" }, location: "query", name: "k" } as const;
    await poll("apikey-500", `${echoUrl}/500?x=1`, apiKey, apiKeyAuth as never, store);
    const apiKeyHeader = {
      type: "api_key",
      key: { env: "API_KEY" },
      location: "header",
      name: "X-Key",
    } as const;
    await poll("apikey-403", `${echoUrl}/403`, apiKeyHeader, apiKeyAuth as never, store);
    const basic = {
      type: "basic",
      user: { env: "BASIC_USER" },
      password: { env: "BASIC_PASSWORD" },
    } as const;
    await poll("basic-403", `${echoUrl}/403`, basic, basicAuth as never, store);
    // OAuth2: token endpoints that echo the form and headers into error_description.
    await poll(
      "oauth-post",
      `${echoUrl}/ok`,
      oauth2(`${echoUrl}/token`, { refreshToken: { env: "REFRESH" } }),
      oauth2Auth as never,
      store,
    );
    await poll(
      "oauth-basic",
      `${echoUrl}/ok`,
      oauth2(`${echoUrl}/token`, { clientAuth: "client_secret_basic" }),
      oauth2Auth as never,
      store,
    );
    const jwt = oauth2(`${echoUrl}/token`, {
      clientAuth: "private_key_jwt",
      clientPrivateKey: { env: "PRIVATE_KEY" },
      dpop: true,
    });
    await poll("oauth-jwt", `${echoUrl}/ok`, jwt, oauth2Auth as never, store);
    // OAuth2 that works: the refresh token is rotated and the new one persisted, through an AuthState
    // over the store, with a logger in the context. Then pollSource runs with the configured token,
    // now spent (invalid_grant), and a token endpoint that cannot be reached.
    const state = {
      read: () => store.read("oauth-rotate"),
      commit: (c: Record<string, string | null>) => store.commit("oauth-rotate", c),
    };
    const ctx: AuthContext = { env: ENV, sourceId: "oauth-rotate", state, log };
    const rotating = oauth2Auth(oauth2(oauth.tokenUrl, { refreshToken: { env: "REFRESH" } }));
    const request = { method: "GET" as const, url: oauth.apiUrl, headers: {} as Record<string, string> };
    await rotating.authorize(request, ctx).catch((e: Error) => outputs.errors.push(e.message));
    await poll(
      "oauth-ok",
      oauth.apiUrl,
      oauth2(oauth.tokenUrl, { refreshToken: { env: "REFRESH" } }),
      oauth2Auth as never,
      store,
    );
    await poll(
      "oauth-unreachable",
      `${echoUrl}/ok`,
      oauth2("http://127.0.0.1:9/token"),
      oauth2Auth as never,
      store,
    );
    // TLS configuration errors.
    await tlsConnectOptions(
      { caOnly: false, clientCert: { env: "PRIVATE_KEY" }, clientKey: { env: "TLS_KEY" } },
      ENV,
      "tls",
    ).catch((e: Error) => outputs.errors.push(e.message));
    await tlsConnectOptions({ caOnly: false, ca: { env: "PRIVATE_KEY" } }, ENV, "tls").catch((e: Error) =>
      outputs.errors.push(e.message),
    );

    for (const id of await store.listSources()) outputs.state.push(JSON.stringify(await store.read(id)));

    // The runs did what they should (so the search below means something).
    expect(outputs.ndjson.join("")).toContain('"id":"1"');
    expect(outputs.errors.length).toBeGreaterThanOrEqual(8);
    expect(outputs.errors.join("\n")).toMatch(/REDACTED/);
    expect(outputs.logs.join("")).toContain("audit: credential accessed");
    expect(outputs.state.join("")).toContain("oauth2_refresh_token");
    expect(oauth.issued.length).toBeGreaterThan(0);
    expect(leaks()).toBe("");
  });

  it("an API that echoes a long DPoP access token into its 401 body: the error excerpt leaks no part of it", async () => {
    // The token straddles the excerpt's length limit, so redacting after cutting would leave a prefix.
    const store = await memoryStore({ path: "" });
    const working = oauth2(oauth.tokenUrl, {
      clientId: { env: "JWT_ID" },
      clientAuth: "private_key_jwt",
      clientPrivateKey: { env: "PRIVATE_KEY" },
      dpop: true,
    });
    await poll("oauth-echo", `${echoUrl}/401`, working, oauth2Auth as never, store);
    expect(outputs.errors.join("\n")).toContain('source "oauth-echo"');
    expect(leaks()).toBe("");
  });
});
