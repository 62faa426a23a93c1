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
      return requestToken(
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
    },
  });
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
  return { clientEmail, privateKey, tokenUri, ...(privateKeyId !== undefined ? { privateKeyId } : {}) };
}
