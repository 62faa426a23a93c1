/**
 * Which refresh token to send, and keeping a rotated one (RFC 6749 §6, OAuth 2.1 rotation).
 *
 * A server that rotates refresh tokens invalidates the old one, so the new one must outlive the
 * process: it is committed to the state store under `oauth2_refresh_token`, and preferred over the
 * configured token on the next start. Next to it, `oauth2_refresh_token_base` records a short
 * SHA-256 fingerprint of the *configured* token the chain started from: when an operator puts a new
 * refresh token in the file or env var, the fingerprint no longer matches and the configured token
 * wins again (no need to clear state by hand).
 */
import { createHash } from "node:crypto";
import type { SecretRef } from "../spec.ts";
import { readSecret } from "./secret.ts";
import type { AuthContext } from "./types.ts";

/** State key of the rotated refresh token. */
export const REFRESH_TOKEN_KEY = "oauth2_refresh_token";
/** State key of the fingerprint of the configured token the rotation chain started from. */
export const REFRESH_TOKEN_BASE_KEY = "oauth2_refresh_token_base";

/** The refresh token to use now, and the fingerprint of the configured one it descends from. */
export interface RefreshTokenChoice {
  readonly token: string;
  readonly base: string;
}

export interface RefreshTokens {
  /** Re-reads the configured token and returns the newest token of its chain. */
  current(ctx: AuthContext): Promise<RefreshTokenChoice>;
  /** The server returned a new refresh token: use it from now on and persist it. */
  rotate(choice: RefreshTokenChoice, next: string, ctx: AuthContext): Promise<void>;
  /** Forgets the in-memory copy (the state store keeps the persisted one). */
  reset(): void;
}

/** Truncated SHA-256 (64 bits): identifies a configured token without revealing it. */
function fingerprint(token: string): string {
  return `sha256:${createHash("sha256").update(token, "utf8").digest("hex").slice(0, 16)}`;
}

export function refreshTokens(ref: SecretRef): RefreshTokens {
  let rotated: RefreshTokenChoice | undefined;
  let warnedNoState = false;
  return {
    async current(ctx) {
      const configured = await readSecret(
        ref,
        ctx.env,
        ctx.sourceId,
        "oauth2 refresh token",
        "oauth2_refresh_token",
      );
      const base = fingerprint(configured);
      if (rotated?.base === base) return rotated;
      const stored = ctx.state ? await ctx.state.read() : {};
      const token = stored[REFRESH_TOKEN_KEY];
      const storedBase = stored[REFRESH_TOKEN_BASE_KEY];
      if (token !== undefined && token !== "" && (storedBase === undefined || storedBase === base)) {
        rotated = { token, base };
        return rotated;
      }
      return { token: configured, base };
    },
    async rotate(choice, next, ctx) {
      rotated = { token: next, base: choice.base };
      if (ctx.state === undefined) {
        if (!warnedNoState)
          ctx.log?.warn(
            { sourceId: ctx.sourceId },
            "the token endpoint rotated the refresh token and no state store is available: the new one is kept in memory only",
          );
        warnedNoState = true;
        return;
      }
      try {
        await ctx.state.commit({ [REFRESH_TOKEN_KEY]: next, [REFRESH_TOKEN_BASE_KEY]: choice.base });
      } catch (error) {
        const code = (error as { code?: string }).code;
        ctx.log?.error(
          { sourceId: ctx.sourceId, code },
          "could not persist the rotated refresh token; after a restart the configured one (now invalid) would be used",
        );
      }
    },
    reset() {
      rotated = undefined;
    },
  };
}
