/**
 * A strict local stand-in for `https://oauth2.googleapis.com/token` (shared reference, vendor-apis §6.5),
 * plus a Reports API endpoint that accepts only the tokens it issued. 127.0.0.1, port 0.
 *
 * JWT-bearer grant (RFC 7523 §2.1), read from the form body as Google does: RS256 signature against
 * the service account's public key (found by `iss`; a `kid` must be the key's `private_key_id`),
 * aud = this server's token URI, iat/exp present with exp − iat ≤ 3600 and the window containing
 * now, a non-empty `scope`, and `sub` only for accounts granted domain-wide delegation for that user
 * and those scopes (`unauthorized_client` otherwise). Refresh grant: client id, secret and token.
 * Errors use Google's `{"error","error_description"}` bodies.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";

export interface ServiceAccountRegistration {
  readonly clientEmail: string;
  readonly publicKey: string | KeyObject;
  readonly privateKeyId: string;
  /** Domain-wide delegation: users it may impersonate and the scopes granted. Absent: no `sub` allowed. */
  readonly delegation?: { readonly subjects: readonly string[]; readonly scopes: readonly string[] };
}

export interface GoogleTokenServerOptions {
  readonly serviceAccounts: readonly ServiceAccountRegistration[];
  /** OAuth clients for the refresh grant: id, secret and their valid refresh tokens. */
  readonly refreshClients?: ReadonlyArray<{
    clientId: string;
    secret: string;
    refreshTokens: readonly string[];
  }>;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
  /**
   * Issue this access token on every grant instead of a random one, so a separate API mock that
   * compares `Authorization` with a fixed token accepts what this server hands out.
   */
  readonly accessToken?: string;
  /** Serve HTTPS with this certificate (e.g. from certs.ts) instead of plain HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface GoogleTokenServer {
  readonly url: string;
  /** `${url}/token`: put this in the key's `token_uri`. */
  readonly tokenUri: string;
  /** `${url}/admin/reports/v1/activity/users/all/applications/login` */
  readonly reportsUrl: string;
  /** Verified assertion claims, in order. */
  readonly assertions: JWTPayload[];
  /** Every request: path, status, Google error code. */
  readonly records: Array<{ path: string; status: number; error?: string; body: string }>;
  readonly issued: string[];
  /** Every token issued so far is rejected from now on. */
  revokeAccessTokens(): void;
  close(): Promise<void>;
}

/** A fresh service-account key file (as the Cloud console downloads it) pointing at `tokenUri`. */
export function makeServiceAccountKey(
  tokenUri: string,
  clientEmail = "helr-reader@helr-test.iam.gserviceaccount.com",
): { json: string; registration: Omit<ServiceAccountRegistration, "delegation">; privateKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const privateKeyId = randomBytes(20).toString("hex");
  const json = JSON.stringify({
    type: "service_account",
    project_id: "helr-test",
    private_key_id: privateKeyId,
    private_key: privateKeyPem,
    client_email: clientEmail,
    client_id: "1234567890",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: tokenUri,
  });
  return { json, registration: { clientEmail, publicKey, privateKeyId }, privateKeyPem };
}

class GoogleError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TIMEFRAME =
  "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.";

export async function startGoogleTokenServer(options: GoogleTokenServerOptions): Promise<GoogleTokenServer> {
  const now = options.now ?? Date.now;
  const assertions: JWTPayload[] = [];
  const records: GoogleTokenServer["records"] = [];
  const issued: string[] = [];
  const valid = new Set<string>();
  let base = "";

  const handler: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const body = Buffer.concat(chunks).toString("utf8");
      const run = path === "/token" ? token(req, body) : reports(req);
      run.then(
        (payload) => {
          records.push({ path, status: 200, body });
          res
            .writeHead(200, { "content-type": "application/json; charset=utf-8" })
            .end(JSON.stringify(payload));
        },
        (error: unknown) => {
          if (!(error instanceof GoogleError)) throw error;
          records.push({ path, status: error.status, error: error.error, body });
          const payload =
            path === "/token"
              ? { error: error.error, error_description: error.message }
              : { error: { code: error.status, message: error.message, status: "UNAUTHENTICATED" } };
          res
            .writeHead(error.status, { "content-type": "application/json; charset=utf-8" })
            .end(JSON.stringify(payload));
        },
      );
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler);

  async function token(req: IncomingMessage, body: string): Promise<unknown> {
    if (req.method !== "POST") throw new GoogleError(405, "invalid_request", "Method not allowed");
    if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
      throw new GoogleError(400, "invalid_request", "Invalid Content-Type");
    }
    const form = new URLSearchParams(body);
    if (req.url?.includes("assertion="))
      throw new GoogleError(400, "invalid_request", "assertion belongs in the body");
    if (form.get("grant_type") === JWT_BEARER) return jwtBearer(form.get("assertion") ?? "");
    if (form.get("grant_type") === "refresh_token") return refresh(form);
    throw new GoogleError(
      400,
      "unsupported_grant_type",
      `Invalid grant_type: ${form.get("grant_type") ?? ""}`,
    );
  }

  async function jwtBearer(assertion: string): Promise<unknown> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(assertion);
      unverified = decodeJwt(assertion);
    } catch {
      throw new GoogleError(400, "invalid_grant", "Invalid JWT: not a JWT");
    }
    const account = options.serviceAccounts.find((a) => a.clientEmail === unverified.iss);
    if (!account) throw new GoogleError(400, "invalid_grant", "Invalid grant: account not found");
    if (header.alg !== "RS256") throw new GoogleError(400, "invalid_grant", "Invalid JWT Signature.");
    if (header.kid !== undefined && header.kid !== account.privateKeyId) {
      throw new GoogleError(400, "invalid_grant", "Invalid JWT Signature.");
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(assertion, asPublicKey(account.publicKey), {
        algorithms: ["RS256"],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      const expired = (error as { code?: string }).code === "ERR_JWT_EXPIRED";
      throw new GoogleError(400, "invalid_grant", expired ? TIMEFRAME : "Invalid JWT Signature.");
    }
    if (claims.aud !== `${base}/token`) {
      throw new GoogleError(400, "invalid_grant", "Invalid JWT: Failed audience check.");
    }
    const { iat, exp } = claims;
    const nowSecs = now() / 1000;
    if (iat === undefined || exp === undefined || exp - iat > 3600 || iat > nowSecs + 60 || exp <= nowSecs) {
      throw new GoogleError(400, "invalid_grant", TIMEFRAME);
    }
    const scopes = typeof claims.scope === "string" ? claims.scope.split(" ").filter(Boolean) : [];
    if (scopes.length === 0)
      throw new GoogleError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
    if (claims.sub !== undefined && claims.sub !== account.clientEmail) {
      const delegation = account.delegation;
      if (!delegation?.subjects.includes(claims.sub) || scopes.some((s) => !delegation.scopes.includes(s))) {
        throw new GoogleError(
          401,
          "unauthorized_client",
          "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
        );
      }
    }
    assertions.push(claims);
    return { access_token: issue(), expires_in: 3599, token_type: "Bearer" };
  }

  async function refresh(form: URLSearchParams): Promise<unknown> {
    const client = options.refreshClients?.find((c) => c.clientId === form.get("client_id"));
    if (!client || client.secret !== form.get("client_secret")) {
      throw new GoogleError(401, "invalid_client", "The OAuth client was not found.");
    }
    if (!client.refreshTokens.includes(form.get("refresh_token") ?? "")) {
      throw new GoogleError(400, "invalid_grant", "Token has been expired or revoked.");
    }
    const scope = "https://www.googleapis.com/auth/admin.reports.audit.readonly";
    return { access_token: issue(), expires_in: 3599, scope, token_type: "Bearer" };
  }

  function issue(): string {
    const value = options.accessToken ?? `ya29.${randomBytes(24).toString("base64url")}`;
    issued.push(value);
    valid.add(value);
    return value;
  }

  async function reports(req: IncomingMessage): Promise<unknown> {
    const match = req.headers.authorization?.match(/^Bearer (\S+)$/);
    if (!match?.[1] || !valid.has(match[1])) {
      throw new GoogleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    }
    return {
      kind: "admin#reports#activities",
      items: [
        { id: { time: new Date(now()).toISOString(), uniqueQualifier: "1", applicationName: "login" } },
      ],
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `${options.tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    tokenUri: `${base}/token`,
    reportsUrl: `${base}/admin/reports/v1/activity/users/all/applications/login`,
    assertions,
    records,
    issued,
    revokeAccessTokens: () => valid.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function asPublicKey(key: string | KeyObject): KeyObject {
  return typeof key === "string" ? createPublicKey(key) : key;
}
