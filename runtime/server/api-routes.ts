/**
 * The REST API under `/api/v1`: the Rust Helr's routes and JSON shapes (helr.md §5.3), made safe
 * to enable. Every route is protected (`auth: true`: the server's bearer check when
 * `global.api.auth` is set); configuration is shown redacted (api-config-view.ts); a triggered
 * poll runs under the source's lock, so it never overlaps a scheduled poll of the same source,
 * and answers with its real outcome instead of the Rust Helr's `ok: true` for a failed poll.
 */

import { auditApiCall } from "../audit.ts";
import { redactSecrets } from "../config/secret-registry.ts";
import type { HealthModel } from "../observe/health.ts";
import { sourceStatusJson } from "../observe/health-json.ts";
import type { GlobalSpec, SourceSpec } from "../spec.ts";
import type { StateStore } from "../state/store.ts";
import { globalConfigView, REDACTED, sourceConfigView } from "./api-config-view.ts";
import type { Route, RouteReply, RouteRequest } from "./routes.ts";

/** What a triggered poll did. */
export interface PollOutcome {
  readonly ok: boolean;
  readonly events: number;
  readonly pages: number;
  readonly requests: number;
  readonly stopReason?: string;
  /** The failure's message (redacted) and stable code, when the poll failed. */
  readonly error?: string;
  readonly code?: string;
}

/** What a reload applied: source ids by what happened to them, and global keys it could not apply. */
export interface ReloadApplied {
  readonly ok: true;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
  /** `global.*` keys that changed but take effect only at the next restart. */
  readonly restart_needed: readonly string[];
}

/** What a reload did: `busy` when another reload is still running. */
export type ReloadOutcome = ReloadApplied | { readonly ok: false; readonly error: string } | "busy";

export interface ApiRoutesOptions {
  readonly version: string;
  readonly health: HealthModel;
  readonly store: StateStore;
  /** The sources being polled now (they change on reload). */
  readonly sources: () => readonly SourceSpec[];
  readonly global: () => GlobalSpec;
  /** Polls one source now, under its lock; absent: not available (`--once`, replay). */
  readonly poll?: (sourceId: string) => Promise<PollOutcome>;
  /** Reloads the bundle (the caller's address for the audit line); absent: not available. */
  readonly reload?: (remote: string) => Promise<ReloadOutcome>;
  /**
   * Audit line for a call that changes something (poll, reload), with the caller's address;
   * default: the process audit log (runtime/audit.ts `auditApiCall`).
   */
  readonly audit?: (action: string, fields: Readonly<Record<string, unknown>>) => void;
  /** Epoch ms. */
  readonly now: () => number;
}

const notFound = (id: string): RouteReply => ({
  status: 404,
  json: { error: "source not found", source_id: id },
});

/** The seven `/api/v1` routes. */
export function apiRoutes(options: ApiRoutesOptions): Route[] {
  const find = (id: string) => options.sources().find((s) => s.id === id);
  const status = (id: string) => {
    const health = options.health.source(id);
    return health ? sourceStatusJson(health, options.now()) : undefined;
  };
  const route = (method: Route["method"], path: string, handle: Route["handle"]): Route => ({
    method,
    path: `/api/v1${path}`,
    auth: true,
    handle,
  });
  const id = (req: RouteRequest): string => req.params.id ?? "";
  const audit = options.audit ?? auditApiCall;
  return [
    route("GET", "/sources", () => ({
      status: 200,
      json: {
        version: options.version,
        uptime_secs: options.health.uptimeSecs(),
        sources: Object.fromEntries(options.sources().map((s) => [s.id, status(s.id) ?? null])),
      },
    })),
    route("GET", "/sources/:id", (req) => {
      const found = find(id(req)) && status(id(req));
      return found ? { status: 200, json: found } : notFound(id(req));
    }),
    route("GET", "/sources/:id/state", async (req) => {
      if (!find(id(req))) return notFound(id(req));
      try {
        const state = await options.store.read(id(req));
        return { status: 200, json: { source_id: id(req), state: masked(state) } };
      } catch (error) {
        return { status: 500, json: { error: redactSecrets((error as Error).message), source_id: id(req) } };
      }
    }),
    route("GET", "/sources/:id/config", (req) => {
      const spec = find(id(req));
      return spec ? { status: 200, json: sourceConfigView(spec) } : notFound(id(req));
    }),
    route("GET", "/config", () => ({ status: 200, json: globalConfigView(options.global()) })),
    route("POST", "/sources/:id/poll", async (req) => {
      if (!options.poll) {
        return { status: 503, json: { ok: false, error: "trigger poll not available (run without --once)" } };
      }
      if (!find(id(req)))
        return { status: 404, json: { source_id: id(req), ok: false, error: "source not found" } };
      audit("audit: poll triggered", { source: id(req), remote: req.remoteAddress ?? "?" });
      const outcome = await options.poll(id(req));
      audit("audit: poll finished", {
        source: id(req),
        remote: req.remoteAddress ?? "?",
        ok: outcome.ok,
        events: outcome.events,
        ...(outcome.code !== undefined ? { code: outcome.code } : {}),
      });
      return { status: 200, json: pollJson(id(req), outcome) };
    }),
    route("POST", "/reload", async (req) => {
      if (!options.reload) {
        return { status: 503, json: { ok: false, error: "reload not available (no config path)" } };
      }
      audit("audit: reload requested", { remote: req.remoteAddress ?? "?" });
      const outcome = await options.reload(req.remoteAddress ?? "?");
      if (outcome === "busy")
        return { status: 409, json: { ok: false, error: "a reload is already running" } };
      return outcome.ok
        ? { status: 200, json: outcome }
        : { status: 500, json: { ok: false, error: redactSecrets(outcome.error) } };
    }),
  ];
}

/** `{source_id, ok, error?}` (Helr's keys) plus the outcome: events, pages, requests, stop reason, code. */
function pollJson(sourceId: string, outcome: PollOutcome): Record<string, unknown> {
  return {
    source_id: sourceId,
    ok: outcome.ok,
    ...(outcome.error !== undefined ? { error: redactSecrets(outcome.error) } : {}),
    ...(outcome.code !== undefined ? { code: outcome.code } : {}),
    events: outcome.events,
    pages: outcome.pages,
    requests: outcome.requests,
    stop_reason: outcome.stopReason ?? null,
  };
}

/** Stored values can hold a rotated refresh token: a value with a known secret is shown as `<redacted>`. */
function masked(state: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(state).map(([k, v]) => [k, redactSecrets(v) === v ? v : REDACTED]),
  );
}
