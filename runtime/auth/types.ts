import type { Env } from "../config/env.ts";

/** What an authenticator needs at request time. */
export interface AuthContext {
  readonly env: Env;
  readonly sourceId: string;
}

/**
 * Adds credentials to an outgoing request. Returns the secret values it used so that
 * error messages and logs can redact them.
 */
export interface Authenticator {
  authorize(headers: Record<string, string>, ctx: AuthContext): Promise<readonly string[]>;
}
