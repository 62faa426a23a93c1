import type { Env } from "../config/env.ts";
import type { Logger } from "../log.ts";

/**
 * This source's keys in the state store. Authenticators keep a rotated OAuth2 refresh token here
 * (key `oauth2_refresh_token`) so it survives a restart.
 */
export interface AuthState {
  read(): Promise<Readonly<Record<string, string>>>;
  /** Sets each key; `null` deletes it. Atomic. */
  commit(changes: Readonly<Record<string, string | null>>): Promise<void>;
}

/** What an authenticator needs at request time. */
export interface AuthContext {
  readonly env: Env;
  readonly sourceId: string;
  /**
   * Sends HTTP (token endpoints use the source's TLS settings and timeouts). Token requests are
   * retried by the authenticator itself, so this should not retry. Default: `sendHttp`.
   */
  readonly send?: import("../http/client.ts").HttpSend;
  /** Where a rotated refresh token is persisted; without it rotation is kept in memory only. */
  readonly state?: AuthState;
  /** For debug lines (token obtained, retrying) and warnings; never given a secret value. */
  readonly log?: Logger;
  /** Timeout of one token-endpoint request; default 30 s. */
  readonly timeoutMs?: number;
  /** Ends waits between token-request retries early (shutdown). */
  readonly signal?: AbortSignal;
}

/** The request being authorised; authenticators may add headers or query parameters. */
export interface OutgoingRequest {
  readonly method: "GET" | "POST";
  /** Mutable: an api_key in the query string is added here. */
  url: string;
  readonly headers: Record<string, string>;
}

/**
 * Adds credentials to an outgoing request. Returns the secret values it used so error
 * messages and logs can redact them.
 */
export interface Authenticator {
  authorize(request: OutgoingRequest, ctx: AuthContext): Promise<readonly string[]>;
  /**
   * Called with a 401 (or a DPoP nonce challenge) from the API. Resolves true when fresh
   * credentials were obtained and the request should be sent once more.
   */
  onUnauthorized?(response: import("../http/client.ts").HttpResponse, ctx: AuthContext): Promise<boolean>;
  /** Sees every API response (e.g. to cache a `DPoP-Nonce`). */
  onResponse?(response: import("../http/client.ts").HttpResponse): void;
  /** Drops cached tokens (SIGHUP with restart_sources_on_sighup). */
  reset?(): void;
}
