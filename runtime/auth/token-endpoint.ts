/**
 * One OAuth2 token request (RFC 6749 §3.2): a form POST, retried on transport errors, 408/429/5xx
 * (see token-retry.ts) and once on a DPoP nonce challenge (RFC 9449 §8). Every attempt is built
 * afresh by the caller, so client assertions and DPoP proofs are never replayed.
 */

import { HelrError } from "../errors/helr-error.ts";
import { type HttpResponse, sendHttp } from "../http/client.ts";
import { HttpError } from "../http/errors.ts";
import { redactUrl, redactValues } from "../http/redact.ts";
import { withFormEncodings } from "./secret.ts";
import { isRetryableTokenStatus, parseRetryAfter, tokenRetryDecision } from "./token-retry.ts";
import type { AuthContext } from "./types.ts";

/** A token endpoint failed; names the source, the token URL and the OAuth `error`, never a secret. */
export class TokenError extends HelrError {
  constructor(
    message: string,
    /** HTTP status, when the server answered. */
    readonly status?: number,
    /** The OAuth `error` code, when the body had one. */
    readonly oauthError?: string,
  ) {
    super("HELR_AUTH_TOKEN", message);
  }
}

/** A successful token response, normalised. */
export interface TokenResponse {
  readonly accessToken: string;
  /** `DPoP` for a DPoP-bound token; everything else is used as `Bearer`. */
  readonly tokenType: "Bearer" | "DPoP";
  readonly expiresInSecs: number;
  readonly refreshToken?: string;
}

/** One attempt's request: the form fields, extra headers, and the secret values inside both. */
export interface TokenAttempt {
  readonly form: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
}

export interface TokenCall {
  /** For messages: `oauth2`, `google service account`. */
  readonly label: string;
  readonly tokenUrl: string;
  /** Builds one attempt; called again for every retry (fresh assertion, fresh proof). */
  readonly build: () => Promise<TokenAttempt>;
  /** Sees every response (DPoP-Nonce capture). */
  readonly observe?: (response: HttpResponse) => void;
  /** Retry once after `400 use_dpop_nonce` with a `DPoP-Nonce` header. */
  readonly dpopNonceRetry: boolean;
}

export interface TokenDeps {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Used when the server omits `expires_in` (RFC 6749 makes it optional); a 401 still refreshes early. */
const DEFAULT_EXPIRES_IN_SECS = 3600;

/** How one attempt ended. */
type Outcome =
  | { readonly kind: "ok"; readonly response: HttpResponse }
  | {
      readonly kind: "failed";
      readonly detail: string;
      readonly retryable: boolean;
      /** `400 use_dpop_nonce` with a fresh `DPoP-Nonce`: worth one immediate retry. */
      readonly nonceChallenge: boolean;
      readonly retryAfterMs?: number;
      readonly status?: number;
      readonly oauthError?: string;
    };

/** Posts the token request until it succeeds, fails for good, or runs out of attempts. */
export async function requestToken(
  call: TokenCall,
  ctx: AuthContext,
  deps: TokenDeps,
): Promise<TokenResponse> {
  const secrets: string[] = [];
  const fail = (detail: string, status?: number, oauthError?: string): TokenError =>
    new TokenError(
      `source "${ctx.sourceId}": ${call.label} token request to ${redactUrl(call.tokenUrl, secrets)} failed: ${redactValues(detail, secrets)}`,
      status,
      oauthError,
    );
  let nonceRetried = false;
  for (let attempt = 0; ; attempt++) {
    const outcome = await attemptOnce(call, ctx, deps, secrets);
    if (outcome.kind === "ok") return parseSuccess(outcome.response, fail);
    if (outcome.nonceChallenge && call.dpopNonceRetry && !nonceRetried) {
      nonceRetried = true;
      attempt--;
      continue;
    }
    const decision = outcome.retryable ? tokenRetryDecision(attempt, outcome.retryAfterMs) : undefined;
    if (!decision?.retry) {
      const detail = decision ? `${outcome.detail} (${decision.reason})` : outcome.detail;
      throw fail(detail, outcome.status, outcome.oauthError);
    }
    ctx.log?.warn(
      { sourceId: ctx.sourceId, status: outcome.status, attempt: attempt + 1 },
      `${call.label} token request failed (${outcome.status ? `HTTP ${outcome.status}` : "transport"}); retrying`,
    );
    await deps.sleep(decision.delayMs, ctx.signal);
    if (ctx.signal?.aborted)
      throw new HttpError(
        "HELR_HTTP_ABORTED",
        `source "${ctx.sourceId}": ${call.label} token request aborted (shutdown)`,
      );
  }
}

/** Builds and sends one attempt; classifies the result. Collects the attempt's secrets for masking. */
async function attemptOnce(
  call: TokenCall,
  ctx: AuthContext,
  deps: TokenDeps,
  secrets: string[],
): Promise<Outcome> {
  const built = await call.build();
  secrets.push(...withFormEncodings(built.secrets));
  let response: HttpResponse;
  try {
    response = await (ctx.send ?? sendHttp)({
      method: "POST",
      url: call.tokenUrl,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        ...built.headers,
      },
      body: new URLSearchParams(built.form).toString(),
      timeoutMs: ctx.timeoutMs ?? 30_000,
    });
  } catch (error) {
    return { kind: "failed", detail: (error as Error).message, retryable: true, nonceChallenge: false };
  }
  call.observe?.(response);
  if (response.status >= 200 && response.status <= 299) return { kind: "ok", response };
  const oauth = parseOAuthError(response, secrets);
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after")?.[0], deps.now());
  return {
    kind: "failed",
    detail: `HTTP ${response.status}${oauth.text}`,
    retryable: isRetryableTokenStatus(response.status),
    nonceChallenge:
      response.status === 400 && oauth.error === "use_dpop_nonce" && response.headers.has("dpop-nonce"),
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(oauth.error !== undefined ? { oauthError: oauth.error } : {}),
  };
}

/**
 * RFC 6749 §5.2 `error` / `error_description`, as ` invalid_client: text`: secrets masked first (a
 * server may echo the request), then control characters dropped and the text shortened.
 */
function parseOAuthError(
  response: HttpResponse,
  secrets: readonly string[],
): { error?: string; text: string } {
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString("utf8"));
  } catch {
    // Not JSON (a proxy's HTML page): its text is not shown, it could echo the request.
    const type = response.headers.get("content-type")?.[0];
    return { text: type ? ` (${type.split(";")[0]} body)` : "" };
  }
  if (typeof body !== "object" || body === null) return { text: "" };
  const record = body as Record<string, unknown>;
  const error = typeof record.error === "string" ? clean(redactValues(record.error, secrets), 64) : undefined;
  const description =
    typeof record.error_description === "string"
      ? clean(redactValues(record.error_description, secrets), 300)
      : "";
  if (error === undefined) return { text: "" };
  return { error, text: ` ${error}${description ? `: ${description}` : ""}` };
}

function clean(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function parseSuccess(response: HttpResponse, fail: (detail: string) => TokenError): TokenResponse {
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString("utf8"));
  } catch {
    throw fail(`HTTP ${response.status} but the body is not JSON`);
  }
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const token = record.access_token;
  if (typeof token !== "string" || token === "")
    throw fail(`HTTP ${response.status} without an access_token`);
  const type =
    typeof record.token_type === "string" && record.token_type.toLowerCase() === "dpop" ? "DPoP" : "Bearer";
  const expires = Number(record.expires_in);
  const refresh = record.refresh_token;
  return {
    accessToken: token,
    tokenType: type,
    expiresInSecs: Number.isFinite(expires) && expires > 0 ? expires : DEFAULT_EXPIRES_IN_SECS,
    ...(typeof refresh === "string" && refresh !== "" ? { refreshToken: refresh } : {}),
  };
}
