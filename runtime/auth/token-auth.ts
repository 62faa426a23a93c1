/**
 * The part oauth2 and google_service_account share: a per-source access-token cache, refreshed
 * `refreshSkewSecs` before expiry and once on a 401, with one fetch in flight at a time; and how
 * the token is presented (`Bearer`, or `DPoP` with a proof carrying `ath`).
 */

import type { HttpResponse } from "../http/client.ts";
import { sleep } from "../resilience/sleep.ts";
import { type DpopSession, isDpopNonceChallenge } from "./dpop.ts";
import type { TokenResponse } from "./token-endpoint.ts";
import type { AuthContext, Authenticator } from "./types.ts";

/** Clock and sleep, injectable so tests drive expiry and backoff without waiting. */
export interface AuthDeps {
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Resolves after `ms`, or early when `signal` aborts (a shutdown). */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A signal that never aborts. */
const NEVER = new AbortController().signal;

/** Real time. */
export const realAuthDeps: AuthDeps = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal ?? NEVER),
};

interface CachedToken {
  readonly value: string;
  readonly type: "Bearer" | "DPoP";
  /** When to fetch a new one (expiry minus the skew). */
  readonly refreshAtMs: number;
}

export interface TokenAuthOptions {
  readonly fetchToken: (ctx: AuthContext) => Promise<TokenResponse>;
  readonly refreshSkewSecs: number;
  readonly deps: AuthDeps;
  /** Present when proofs are sent (oauth2 `dpop: true`). */
  readonly dpop?: DpopSession;
  /** Extra cleanup on `reset()` (the rotated refresh token held in memory). */
  readonly onReset?: () => void;
}

/** An authenticator presenting cached access tokens. */
export function tokenAuthenticator(options: TokenAuthOptions): Authenticator {
  const { deps, dpop } = options;
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;

  const fetchFresh = (ctx: AuthContext): Promise<CachedToken> => {
    // Expiry counts from when the request left, not when the answer came back.
    const started = deps.now();
    inflight ??= options
      .fetchToken(ctx)
      .then((response) => {
        cached = toCached(response, options.refreshSkewSecs, started);
        ctx.log?.debug(
          { sourceId: ctx.sourceId, tokenType: response.tokenType, expiresInSecs: response.expiresInSecs },
          "access token obtained",
        );
        return cached;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const current = (ctx: AuthContext): Promise<CachedToken> =>
    cached !== undefined && deps.now() < cached.refreshAtMs ? Promise.resolve(cached) : fetchFresh(ctx);

  return {
    async authorize(request, ctx) {
      const token = await current(ctx);
      if (token.type === "DPoP" && dpop !== undefined) {
        const proof = await dpop.proof({
          role: "rs",
          method: request.method,
          url: request.url,
          accessToken: token.value,
        });
        request.headers.authorization = `DPoP ${token.value}`;
        request.headers.dpop = proof;
        return [token.value, proof];
      }
      request.headers.authorization = `Bearer ${token.value}`;
      return [token.value];
    },
    onResponse(response: HttpResponse) {
      dpop?.observe("rs", response);
    },
    async onUnauthorized(response, ctx) {
      if (response.status !== 401) return false;
      if (dpop !== undefined && isDpopNonceChallenge(response)) {
        // The token is fine; the resource server wants a nonce in the proof. Without a new
        // nonce to send, a retry would fail the same way.
        dpop.observe("rs", response);
        return response.headers.has("dpop-nonce");
      }
      if (inflight === undefined) cached = undefined;
      await current(ctx);
      return true;
    },
    reset() {
      cached = undefined;
      dpop?.clearNonces();
      options.onReset?.();
    },
  };
}

/** Refresh `skew` before expiry, but never sooner than half-way through a short-lived token's life. */
function toCached(response: TokenResponse, skewSecs: number, nowMs: number): CachedToken {
  const lifetimeMs = response.expiresInSecs * 1000;
  const skewMs = Math.min(skewSecs * 1000, lifetimeMs / 2);
  return { value: response.accessToken, type: response.tokenType, refreshAtMs: nowMs + lifetimeMs - skewMs };
}
