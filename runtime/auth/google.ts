/**
 * `google_service_account`: the JWT-bearer grant (RFC 7523 §2.1) with a service-account key.
 *
 * The assertion's audience and the endpoint it is posted to are the key's own `token_uri` (the
 * reference hard-coded Google's); `kid` is the key's `private_key_id`; `sub` is the delegated user
 * for domain-wide delegation. The key JSON and subject are re-read on every token fetch.
 */
import type { GoogleServiceAccountAuthSpec } from "../spec.ts";
import { grantAssertion, importSigningKey } from "./assertion.ts";
import { describeSecretRef, readSecret } from "./secret.ts";
import { type AuthDeps, realAuthDeps, tokenAuthenticator } from "./token-auth.ts";
import { requestToken, TokenError } from "./token-endpoint.ts";
import type { AuthContext, Authenticator } from "./types.ts";

const GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** Google's token endpoint, for key files without `token_uri` (all real ones have it). */
const DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";
/** Google accepts assertions valid for at most one hour. */
const ASSERTION_LIFETIME_SECS = 3600;

/** The fields of a service-account key file Helr uses. */
interface ServiceAccountKey {
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly privateKeyId?: string;
  readonly tokenUri: string;
  /** The service account's unique ID: what the Admin console's domain-wide delegation asks for. */
  readonly clientId?: string;
}

/** The `google_service_account` authenticator of one source. */
export function googleServiceAccountAuth(
  spec: GoogleServiceAccountAuthSpec,
  deps: AuthDeps = realAuthDeps,
): Authenticator {
  return tokenAuthenticator({
    refreshSkewSecs: spec.refreshSkewSecs,
    deps,
    async fetchToken(ctx) {
      const key = await readKey(spec, ctx);
      const where = `google service account private_key (${describeSecretRef(spec.credentials, ctx.env, ctx.sourceId)})`;
      const signingKey = importSigningKey(key.privateKey, where, ctx.sourceId);
      if (signingKey.alg !== "RS256") {
        throw new TokenError(
          `source "${ctx.sourceId}": ${where} must be an RSA key (Google signs with RS256)`,
        );
      }
      const subject =
        spec.subject === undefined
          ? undefined
          : await readSecret(
              spec.subject,
              ctx.env,
              ctx.sourceId,
              "google service account subject",
              "google_service_account_subject",
            );
      const request = requestToken(
        {
          label: "google service account",
          tokenUrl: key.tokenUri,
          dpopNonceRetry: false,
          build: async () => {
            const assertion = await grantAssertion({
              issuer: key.clientEmail,
              audience: key.tokenUri,
              scope: spec.scopes.join(" "),
              ...(subject !== undefined ? { subject } : {}),
              ...(key.privateKeyId !== undefined ? { keyId: key.privateKeyId } : {}),
              signingKey,
              now: deps.now(),
              lifetimeSecs: ASSERTION_LIFETIME_SECS,
            });
            return { form: { grant_type: GRANT_TYPE, assertion }, headers: {}, secrets: [assertion] };
          },
        },
        ctx,
        deps,
      );
      if (subject === undefined || spec.subject === undefined) return request;
      const subjectFrom = describeSecretRef(spec.subject, ctx.env, ctx.sourceId);
      return request.catch((error: unknown) => explainDelegation(error, key, spec.scopes, subjectFrom));
    },
  });
}

/**
 * `unauthorized_client` on a delegated grant almost always means the Admin console step is missing:
 * say which client ID and scopes to authorize there. The client ID is public; the subject is not shown.
 * Written as a `; to fix:` clause, so the CLI's generic advice (engine/fix-hint.ts) is not added on top.
 */
function explainDelegation(
  error: unknown,
  key: ServiceAccountKey,
  scopes: readonly string[],
  subjectFrom: string,
): never {
  if (!(error instanceof TokenError) || error.oauthError !== "unauthorized_client") throw error;
  const client = key.clientId === undefined ? "the service account's client ID" : `client ID ${key.clientId}`;
  throw new TokenError(
    `${error.message}; to fix: domain-wide delegation is missing or does not cover these scopes: in the Google Admin console (Security → Access and data control → API controls → Manage Domain Wide Delegation) authorize ${client} for ${scopes.join(",")}, and check that the subject from ${subjectFrom} is a user of that Workspace who may use them`,
    error.status,
    error.oauthError,
  );
}

/** Reads and checks the key JSON; errors say where it came from and what is missing, never its content. */
async function readKey(spec: GoogleServiceAccountAuthSpec, ctx: AuthContext): Promise<ServiceAccountKey> {
  const text = await readSecret(
    spec.credentials,
    ctx.env,
    ctx.sourceId,
    "google service account credentials",
    "google_service_account_credentials",
  );
  const where = `google service account credentials (${describeSecretRef(spec.credentials, ctx.env, ctx.sourceId)})`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenError(`source "${ctx.sourceId}": ${where} are not valid JSON`);
  }
  const record = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
  const field = (name: string): string | undefined =>
    typeof record[name] === "string" && record[name] !== "" ? (record[name] as string) : undefined;
  const clientEmail = field("client_email");
  const privateKey = field("private_key");
  const missing = [clientEmail ? "" : "client_email", privateKey ? "" : "private_key"].filter(Boolean);
  if (clientEmail === undefined || privateKey === undefined) {
    throw new TokenError(
      `source "${ctx.sourceId}": ${where} lack ${missing.join(" and ")}; download a JSON key of the service account`,
    );
  }
  const tokenUri = field("token_uri") ?? DEFAULT_TOKEN_URI;
  if (!/^https?:\/\//i.test(tokenUri)) {
    throw new TokenError(`source "${ctx.sourceId}": ${where} have a token_uri that is not an http(s) URL`);
  }
  const privateKeyId = field("private_key_id");
  const clientId = field("client_id");
  return {
    clientEmail,
    privateKey,
    tokenUri,
    ...(privateKeyId !== undefined ? { privateKeyId } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
  };
}
