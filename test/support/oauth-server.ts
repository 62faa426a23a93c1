/**
 * A strict local OAuth 2.0 authorization server plus a DPoP-aware resource server, on one origin
 * (as Okta serves `/oauth2/v1/token` and `/api/v1/logs`), 127.0.0.1 port 0.
 *
 * It verifies what a real server verifies (shared reference, vendor-apis §1.8 and §8):
 * - client_secret_post, client_secret_basic (RFC 6749 §2.3.1 form-decoding), and private_key_jwt
 *   (RFC 7523: signature against the registered public key with `jose`, alg, `kid`, iss = sub =
 *   client_id, aud = the token URL, exp present and at most 1 h ahead, jti present and never reused);
 * - client_credentials and refresh_token grants, scopes, optional refresh-token rotation;
 * - DPoP proofs (RFC 9449 §4.3): typ `dpop+jwt`, an asymmetric alg, a public `jwk` only, signature by
 *   that jwk, htm, htu (no query), iat within 60 s, jti replay, the server nonce (400/401
 *   `use_dpop_nonce` + `DPoP-Nonce`, separate nonces for the AS and the RS, rotation);
 * - DPoP-bound access tokens (JWTs signed by the AS, `cnf.jkt`), presented as `Authorization: DPoP`
 *   with a proof whose `ath` matches the token and whose key thumbprint matches `cnf.jkt`; the
 *   `Bearer` scheme is rejected for them.
 */
import { createHash, createPublicKey, type KeyObject, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  generateKeyPair,
  type JWK,
  jwtVerify,
  SignJWT,
} from "jose";

export interface OAuthClient {
  readonly clientId: string;
  /** For client_secret_post / client_secret_basic. */
  readonly secret?: string;
  /** For private_key_jwt: the registered public key (PEM or KeyObject). */
  readonly publicKey?: string | KeyObject;
  /** Registered key id: the assertion's `kid` must equal it. */
  readonly kid?: string;
  /** Scopes this client may request; absent: any. */
  readonly scopes?: readonly string[];
}

export interface OAuthServerOptions {
  readonly clients: readonly OAuthClient[];
  /** Valid refresh tokens → client id. */
  readonly refreshTokens?: Readonly<Record<string, string>>;
  /** Issue a new refresh token on each refresh and revoke the old one. */
  readonly rotateRefreshTokens?: boolean;
  /** `required`: every token request needs a DPoP proof and gets a DPoP-bound token. */
  readonly dpop?: "off" | "required";
  /** The token endpoint demands a nonce in DPoP proofs. */
  readonly asNonce?: boolean;
  /** The resource server demands a nonce in DPoP proofs. */
  readonly rsNonce?: boolean;
  readonly tokenLifetimeSecs?: number;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
  /** Serve HTTPS with this certificate (e.g. from test/support/certs.ts) instead of plain HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * What `/api/v1/logs` answers once the access token and the DPoP proof check out, e.g. a page of
   * the Okta mock; default: one synthetic event per request. The RS nonce header is added to it.
   */
  readonly resource?: (request: { readonly method: string; readonly url: URL }) => Promise<ResourceReply>;
}

/** A resource response: status, parsed JSON body, and headers (a list for repeated ones, e.g. `link`). */
export interface ResourceReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** One request as the server judged it. */
export interface OAuthRecord {
  readonly path: string;
  readonly status: number;
  /** OAuth / DPoP error code of a rejection. */
  readonly error?: string;
  readonly description?: string;
  readonly headers: IncomingMessage["headers"];
  readonly form?: Readonly<Record<string, string>>;
}

export interface OAuthServer {
  readonly url: string;
  /** `${url}/oauth2/v1/token` */
  readonly tokenUrl: string;
  /** `${url}/api/v1/logs` */
  readonly apiUrl: string;
  readonly records: OAuthRecord[];
  /** Refresh tokens currently valid. */
  readonly refreshTokens: ReadonlyMap<string, string>;
  /** Access tokens issued, in order. */
  readonly issued: string[];
  /** Replaces the AS or RS nonce; the old one stops working. */
  rotateNonce(role: "as" | "rs"): void;
  /** Every access token issued so far is rejected from now on. */
  revokeAccessTokens(): void;
  /** The next `count` token requests get `status` (with these headers) before any check. */
  failTokenRequests(count: number, status: number, headers?: Readonly<Record<string, string>>): void;
  close(): Promise<void>;
}

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512", "EdDSA"];
const TOKEN_PATH = "/oauth2/v1/token";
const API_PATH = "/api/v1/logs";

/** A rejection: HTTP status, OAuth error code, description, extra headers. */
class Reject extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
  }
}

export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const now = options.now ?? Date.now;
  const signer = await generateKeyPair("ES256");
  const records: OAuthRecord[] = [];
  const refreshTokens = new Map(Object.entries(options.refreshTokens ?? {}));
  const issued: string[] = [];
  const seenAssertionJtis = new Set<string>();
  const seenProofJtis = new Set<string>();
  const nonces = { as: nonce(), rs: nonce() };
  const revoked = new Set<string>();
  const failures: Array<{ status: number; headers: Readonly<Record<string, string>> }> = [];
  let base = "";

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const body = Buffer.concat(chunks).toString("utf8");
      const handler = path === TOKEN_PATH ? tokenEndpoint : path === API_PATH ? resource : notFound;
      handler(req, body).then(
        (ok) => reply(res, { path, headers: req.headers, ...ok.record }, ok.status, ok.body, ok.headers),
        (error: unknown) => {
          if (!(error instanceof Reject)) throw error;
          const form = path === TOKEN_PATH ? Object.fromEntries(new URLSearchParams(body)) : undefined;
          const record = {
            path,
            headers: req.headers,
            error: error.error,
            description: error.description,
            ...(form ? { form } : {}),
          };
          const payload = { error: error.error, error_description: error.description };
          reply(res, record, error.status, payload, error.headers);
        },
      );
    });
  };
  const server =
    options.tls === undefined ? createServer(listener) : createHttpsServer(options.tls, listener);

  function reply(
    res: ServerResponse,
    record: Omit<OAuthRecord, "status">,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string | readonly string[]>> = {},
  ): void {
    records.push({ ...record, status });
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(JSON.stringify(body));
  }

  interface Ok {
    status: number;
    body: unknown;
    headers?: Readonly<Record<string, string | readonly string[]>>;
    record: { form?: Record<string, string> };
  }

  async function notFound(): Promise<Ok> {
    throw new Reject(404, "not_found", "no such endpoint");
  }

  async function tokenEndpoint(req: IncomingMessage, body: string): Promise<Ok> {
    const failure = failures.shift();
    if (failure)
      throw new Reject(failure.status, "temporarily_unavailable", "injected failure", failure.headers);
    if (req.method !== "POST") throw new Reject(405, "invalid_request", "POST required");
    if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
      throw new Reject(400, "invalid_request", "form body required");
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    const client = await authenticateClient(req, form);
    const jkt = await checkDpop(req, "as", "POST", `${base}${TOKEN_PATH}`);
    const grant = grantFor(form, client);
    const lifetime = options.tokenLifetimeSecs ?? 3600;
    const iat = Math.floor(now() / 1000);
    const claims = { scope: grant.scope, client_id: client.clientId, ...(jkt ? { cnf: { jkt } } : {}) };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt" })
      .setIssuer(base)
      .setSubject(client.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetime)
      .setJti(nonce())
      .sign(signer.privateKey as CryptoKey);
    issued.push(token);
    const payload = {
      token_type: jkt ? "DPoP" : "Bearer",
      expires_in: lifetime,
      access_token: token,
      scope: grant.scope,
      ...(grant.refreshToken ? { refresh_token: grant.refreshToken } : {}),
    };
    return { status: 200, body: payload, headers: nonceHeader("as"), record: { form } };
  }

  function nonceHeader(role: "as" | "rs"): Record<string, string> {
    const wanted = role === "as" ? options.asNonce : options.rsNonce;
    return wanted ? { "dpop-nonce": nonces[role] } : {};
  }

  async function authenticateClient(
    req: IncomingMessage,
    form: Record<string, string>,
  ): Promise<OAuthClient> {
    const basic = req.headers.authorization?.match(/^Basic\s+(\S+)$/i);
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const id = formDecode(decoded.slice(0, colon));
      const secret = formDecode(decoded.slice(colon + 1));
      const client = options.clients.find((c) => c.clientId === id);
      if (colon < 0 || !client?.secret || client.secret !== secret) {
        throw new Reject(401, "invalid_client", "client authentication failed", {
          "www-authenticate": "Basic",
        });
      }
      return client;
    }
    if (form.client_assertion_type !== undefined || form.client_assertion !== undefined) {
      return verifyAssertion(form);
    }
    const client = options.clients.find((c) => c.clientId === form.client_id);
    if (client === undefined) throw new Reject(401, "invalid_client", "unknown client");
    if (client.secret !== undefined && client.secret !== form.client_secret) {
      throw new Reject(401, "invalid_client", "client authentication failed");
    }
    if (
      client.secret === undefined &&
      (client.publicKey !== undefined || form.grant_type !== "refresh_token")
    ) {
      throw new Reject(401, "invalid_client", "client authentication required");
    }
    return client;
  }

  async function verifyAssertion(form: Record<string, string>): Promise<OAuthClient> {
    if (form.client_assertion_type !== ASSERTION_TYPE)
      throw new Reject(400, "invalid_client", "bad client_assertion_type");
    const assertion = form.client_assertion ?? "";
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(assertion);
      unverified = decodeJwt(assertion);
    } catch {
      throw new Reject(400, "invalid_client", "client_assertion is not a JWT");
    }
    const client = options.clients.find((c) => c.clientId === unverified.iss);
    if (client?.publicKey === undefined)
      throw new Reject(400, "invalid_client", "unknown client or no key registered");
    if (!ASYMMETRIC.includes(String(header.alg)))
      throw new Reject(400, "invalid_client", `alg ${header.alg} not allowed`);
    if (client.kid !== undefined && header.kid !== client.kid)
      throw new Reject(400, "invalid_client", "unknown kid");
    try {
      await jwtVerify(assertion, asPublicKey(client.publicKey), {
        issuer: client.clientId,
        subject: client.clientId,
        audience: `${base}${TOKEN_PATH}`,
        algorithms: ASYMMETRIC,
        requiredClaims: ["exp", "jti"],
        currentDate: new Date(now()),
      });
    } catch (error) {
      throw new Reject(400, "invalid_client", `client_assertion rejected: ${(error as Error).message}`);
    }
    if (Number(unverified.exp) - now() / 1000 > 3600)
      throw new Reject(400, "invalid_client", "exp too far ahead");
    const jti = String(unverified.jti);
    if (seenAssertionJtis.has(jti)) throw new Reject(400, "invalid_client", "client_assertion jti replayed");
    seenAssertionJtis.add(jti);
    if (form.client_id !== undefined && form.client_id !== client.clientId) {
      throw new Reject(400, "invalid_client", "client_id does not match the assertion");
    }
    return client;
  }

  function grantFor(
    form: Record<string, string>,
    client: OAuthClient,
  ): { scope: string; refreshToken?: string } {
    const requested = (form.scope ?? "").split(" ").filter(Boolean);
    const bad = requested.filter((s) => client.scopes !== undefined && !client.scopes.includes(s));
    if (bad.length > 0) throw new Reject(400, "invalid_scope", `scope not allowed: ${bad.join(" ")}`);
    const scope = requested.join(" ") || (client.scopes ?? []).join(" ");
    if (form.grant_type === "client_credentials") {
      if (client.secret === undefined && client.publicKey === undefined) {
        throw new Reject(400, "unauthorized_client", "public clients cannot use client_credentials");
      }
      return { scope };
    }
    if (form.grant_type === "refresh_token") {
      const owner = refreshTokens.get(form.refresh_token ?? "");
      if (owner !== client.clientId)
        throw new Reject(400, "invalid_grant", "Token has been expired or revoked.");
      if (!options.rotateRefreshTokens) return { scope };
      refreshTokens.delete(form.refresh_token ?? "");
      const next = `rt-${nonce()}`;
      refreshTokens.set(next, client.clientId);
      return { scope, refreshToken: next };
    }
    throw new Reject(
      400,
      "unsupported_grant_type",
      `grant_type ${form.grant_type ?? "(none)"} not supported`,
    );
  }

  /** Verifies the request's DPoP proof (if any, or if required); returns the key thumbprint. */
  async function checkDpop(
    req: IncomingMessage,
    role: "as" | "rs",
    method: string,
    htu: string,
    token?: string,
  ): Promise<string | undefined> {
    const proof = req.headers.dpop;
    const fail = (description: string): Reject =>
      role === "as"
        ? new Reject(400, "invalid_dpop_proof", description)
        : new Reject(401, "invalid_dpop_proof", description, {
            "www-authenticate": `DPoP error="invalid_dpop_proof", error_description="${description}"`,
          });
    if (proof === undefined) {
      if (role === "as" && options.dpop !== "required") return undefined;
      throw fail("DPoP proof required");
    }
    if (typeof proof !== "string" || proof.includes(",")) throw fail("exactly one DPoP header required");
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw fail("DPoP proof is not a JWS");
    }
    if (header.typ !== "dpop+jwt") throw fail("typ must be dpop+jwt");
    if (!ASYMMETRIC.includes(String(header.alg))) throw fail(`alg ${header.alg} not allowed`);
    const jwk = header.jwk as JWK | undefined;
    if (jwk === undefined || "d" in jwk || "p" in jwk || "k" in jwk) throw fail("jwk must be a public key");
    let claims: Record<string, unknown>;
    try {
      claims = (await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt", currentDate: new Date(now()) }))
        .payload;
    } catch (error) {
      throw fail(`signature: ${(error as Error).message}`);
    }
    if (claims.htm !== method) throw fail("htm mismatch");
    if (claims.htu !== htu) throw fail(`htu mismatch: ${String(claims.htu)}`);
    const iat = Number(claims.iat);
    if (!Number.isFinite(iat) || Math.abs(iat - now() / 1000) > 60) throw fail("iat not fresh");
    if (typeof claims.jti !== "string" || claims.jti.length < 16) throw fail("jti missing or short");
    if (seenProofJtis.has(claims.jti)) throw fail("jti replayed");
    seenProofJtis.add(claims.jti);
    if (token !== undefined && claims.ath !== createHash("sha256").update(token).digest("base64url")) {
      throw fail("ath does not match the access token");
    }
    const wantNonce = role === "as" ? options.asNonce : options.rsNonce;
    if (wantNonce && claims.nonce !== nonces[role]) {
      const description = `${role === "as" ? "Authorization" : "Resource"} server requires nonce in DPoP proof.`;
      const headers: Record<string, string> = { "dpop-nonce": nonces[role] };
      if (role === "rs")
        headers["www-authenticate"] = `DPoP error="use_dpop_nonce", error_description="${description}"`;
      throw new Reject(role === "as" ? 400 : 401, "use_dpop_nonce", description, headers);
    }
    return calculateJwkThumbprint(jwk);
  }

  async function resource(req: IncomingMessage): Promise<Ok> {
    const match = req.headers.authorization?.match(/^(\S+)\s+(\S+)$/);
    const invalid = (scheme: string, description: string): Reject =>
      new Reject(401, "invalid_token", description, {
        "www-authenticate": `${scheme} error="invalid_token", error_description="${description}"`,
      });
    if (!match?.[1] || !match[2]) throw invalid("Bearer", "no access token");
    const scheme = match[1];
    const token = match[2];
    let claims: Record<string, unknown>;
    try {
      claims = (
        await jwtVerify(token, signer.publicKey as CryptoKey, { issuer: base, currentDate: new Date(now()) })
      ).payload;
    } catch (error) {
      throw invalid(scheme, `token rejected: ${(error as Error).message}`);
    }
    if (revoked.has(token)) throw invalid(scheme, "token revoked");
    const cnf = claims.cnf as { jkt?: string } | undefined;
    if (cnf?.jkt === undefined) {
      if (scheme.toLowerCase() !== "bearer") throw invalid("Bearer", "not a DPoP-bound token");
      if (options.resource === undefined) return { status: 200, body: events(), record: {} };
      return { ...(await resourceReply(req)), record: {} };
    }
    if (scheme !== "DPoP") throw invalid("DPoP", "DPoP-bound token presented with another scheme");
    const jkt = await checkDpop(req, "rs", req.method ?? "GET", `${base}${API_PATH}`, token);
    if (jkt !== cnf.jkt) throw invalid("DPoP", "proof key does not match the token's cnf.jkt");
    return { ...(await resourceReply(req)), record: {} };
  }

  async function resourceReply(req: IncomingMessage): Promise<Omit<Ok, "record">> {
    if (options.resource === undefined) return { status: 200, body: events(), headers: nonceHeader("rs") };
    const method = req.method ?? "GET";
    const answer = await options.resource({ method, url: new URL(req.url ?? "/", base) });
    return { status: answer.status, body: answer.body, headers: { ...answer.headers, ...nonceHeader("rs") } };
  }

  function events(): unknown[] {
    return [
      {
        uuid: `evt-${records.length}`,
        published: new Date(now()).toISOString(),
        eventType: "user.session.start",
      },
    ];
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const scheme = options.tls === undefined ? "http" : "https";
  base = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    tokenUrl: `${base}${TOKEN_PATH}`,
    apiUrl: `${base}${API_PATH}`,
    records,
    refreshTokens,
    issued,
    rotateNonce(role) {
      nonces[role] = nonce();
    },
    revokeAccessTokens() {
      for (const token of issued) revoked.add(token);
    },
    failTokenRequests(count, status, headers = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function nonce(): string {
  return randomBytes(18).toString("base64url");
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, " "));
}

function asPublicKey(key: string | KeyObject): KeyObject {
  return typeof key === "string" ? createPublicKey(key) : key;
}
