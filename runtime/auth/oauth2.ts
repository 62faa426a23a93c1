/**
 * `oauth2`: client_credentials, or refresh_token when a refresh token is configured; client
 * authentication by secret (form body or HTTP Basic) or private_key_jwt (RFC 7523); optional DPoP
 * (RFC 9449). Every secret is re-read from its file or env var on each token fetch.
 */
import { expand } from "../config/env.ts";
import type { OAuth2AuthSpec } from "../spec.ts";
import { clientAssertion, importSigningKey, type SigningKey } from "./assertion.ts";
import { type DpopSession, dpopSession, htu } from "./dpop.ts";
import { type RefreshTokenChoice, refreshTokens } from "./refresh-token.ts";
import { describeSecretRef, readSecret } from "./secret.ts";
import { type AuthDeps, realAuthDeps, tokenAuthenticator } from "./token-auth.ts";
import { requestToken, type TokenAttempt, TokenError, type TokenResponse } from "./token-endpoint.ts";
import type { AuthContext, Authenticator } from "./types.ts";

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** How the client proves itself, with the secrets read for this fetch. */
type ClientCredentials =
  | { readonly kind: "secret_post" | "secret_basic"; readonly clientId: string; readonly secret?: string }
  | { readonly kind: "private_key_jwt"; readonly clientId: string; readonly key: SigningKey };

/** The `oauth2` authenticator of one source. */
export function oauth2Auth(spec: OAuth2AuthSpec, deps: AuthDeps = realAuthDeps): Authenticator {
  const dpop = spec.dpop ? dpopSession(deps.now) : undefined;
  const refresh = spec.refreshToken !== undefined ? refreshTokens(spec.refreshToken) : undefined;
  return tokenAuthenticator({
    refreshSkewSecs: spec.refreshSkewSecs,
    deps,
    ...(dpop ? { dpop } : {}),
    ...(refresh ? { onReset: () => refresh.reset() } : {}),
    async fetchToken(ctx) {
      const tokenUrl = resolveTokenUrl(spec, ctx);
      const client = await readClient(spec, ctx);
      const grant = refresh ? await refresh.current(ctx) : undefined;
      const response = await requestToken(
        {
          label: "oauth2",
          tokenUrl,
          dpopNonceRetry: dpop !== undefined,
          build: () => buildAttempt(spec, tokenUrl, client, grant, dpop, deps),
          ...(dpop ? { observe: (r) => dpop.observe("as", r) } : {}),
        },
        ctx,
        deps,
      );
      await keepRotated(response, grant, refresh, ctx);
      return response;
    },
  });
}

function resolveTokenUrl(spec: OAuth2AuthSpec, ctx: AuthContext): string {
  const url = expand(spec.tokenUrl, ctx.env, ctx.sourceId);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TokenError(
      `source "${ctx.sourceId}": oauth2 token_url is not an absolute URL after placeholders`,
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new TokenError(`source "${ctx.sourceId}": oauth2 token_url must be http:// or https://`);
  }
  return url;
}

async function readClient(spec: OAuth2AuthSpec, ctx: AuthContext): Promise<ClientCredentials> {
  const { env, sourceId } = ctx;
  const clientId = await readSecret(spec.clientId, env, sourceId, "oauth2 client id", "oauth2_client_id");
  if (spec.clientAuth === "private_key_jwt") {
    if (spec.clientPrivateKey === undefined) {
      throw new TokenError(
        `source "${sourceId}": oauth2 private_key_jwt needs client_private_key_file or _env`,
      );
    }
    const what = `oauth2 client private key`;
    const pem = await readSecret(spec.clientPrivateKey, env, sourceId, what, "oauth2_client_private_key");
    const where = `${what} (${describeSecretRef(spec.clientPrivateKey, env, sourceId)})`;
    return { kind: "private_key_jwt", clientId, key: importSigningKey(pem, where, sourceId) };
  }
  const kind = spec.clientAuth === "client_secret_basic" ? "secret_basic" : "secret_post";
  if (spec.clientSecret === undefined) {
    // A public client (refresh grant for an installed app): client_id in the body, no secret.
    if (kind === "secret_basic") {
      throw new TokenError(
        `source "${sourceId}": oauth2 client_secret_basic needs client_secret_file or _env`,
      );
    }
    return { kind, clientId };
  }
  const secret = await readSecret(
    spec.clientSecret,
    env,
    sourceId,
    "oauth2 client secret",
    "oauth2_client_secret",
  );
  return { kind, clientId, secret };
}

/** One attempt: the grant, the client authentication and the DPoP proof, all fresh. */
async function buildAttempt(
  spec: OAuth2AuthSpec,
  tokenUrl: string,
  client: ClientCredentials,
  grant: RefreshTokenChoice | undefined,
  dpop: DpopSession | undefined,
  deps: AuthDeps,
): Promise<TokenAttempt> {
  const form: Record<string, string> = grant
    ? { grant_type: "refresh_token", refresh_token: grant.token }
    : { grant_type: "client_credentials" };
  if (spec.scopes.length > 0) form.scope = spec.scopes.join(" ");
  const headers: Record<string, string> = {};
  const secrets: string[] = grant ? [grant.token] : [];
  if (client.kind === "private_key_jwt") {
    const assertion = await clientAssertion({
      clientId: client.clientId,
      tokenUrl,
      signingKey: client.key,
      ...(spec.keyId ? { keyId: spec.keyId } : {}),
      now: deps.now(),
    });
    form.client_assertion_type = ASSERTION_TYPE;
    form.client_assertion = assertion;
    secrets.push(assertion);
  } else if (client.kind === "secret_basic" && client.secret !== undefined) {
    // RFC 6749 §2.3.1: each part form-urlencoded before base64.
    const pair = `${formEncode(client.clientId)}:${formEncode(client.secret)}`;
    const encoded = Buffer.from(pair, "utf8").toString("base64");
    headers.authorization = `Basic ${encoded}`;
    secrets.push(client.secret, encoded);
  } else {
    form.client_id = client.clientId;
    if (client.secret !== undefined) {
      form.client_secret = client.secret;
      secrets.push(client.secret);
    }
  }
  if (dpop) headers.dpop = await dpop.proof({ role: "as", method: "POST", url: htu(tokenUrl) });
  return { form, headers, secrets };
}

function formEncode(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2);
}

async function keepRotated(
  response: TokenResponse,
  grant: RefreshTokenChoice | undefined,
  refresh: ReturnType<typeof refreshTokens> | undefined,
  ctx: AuthContext,
): Promise<void> {
  if (refresh === undefined || grant === undefined || response.refreshToken === undefined) return;
  if (response.refreshToken === grant.token) return;
  await refresh.rotate(grant, response.refreshToken, ctx);
}
