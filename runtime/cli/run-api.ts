import { readFileSync } from "node:fs";
import type { App } from "../app.ts";
import { createSourceLocks, type SourceLocks } from "../engine/source-lock.ts";
import type { PollSummary } from "../engine/types.ts";
import { codeOf } from "../errors/helr-error.ts";
import type { HealthModel } from "../observe/health.ts";
import { checkApiBind, loadApiAuthorize } from "../server/api-auth.ts";
import { apiRoutes, type PollOutcome, type ReloadOutcome } from "../server/api-routes.ts";
import type { Authorize } from "../server/bearer.ts";
import type { Route } from "../server/routes.ts";
import type { StateStore } from "../state/store.ts";

/** What the REST API of `helr run` needs from the run, read when a request comes. */
export interface RunApiDeps {
  /** The state store, once open. */
  readonly store: () => StateStore | undefined;
  /**
   * Polls one source now (the run's own poll: its slots, timeout and logging); undefined when
   * triggering is not available (`--once`, or before the sources are prepared).
   */
  readonly poll?: (sourceId: string) => Promise<PollSummary | Error> | undefined;
  /**
   * The app in effect (it changes on reload): `GET /sources/{id}/config` and `GET /config`
   * show its sources and global settings; default: the app started.
   */
  readonly current?: () => Pick<App, "sources" | "global">;
  /** `POST /api/v1/reload`; undefined when reload is not available (`--once`, replay, or not started yet). */
  readonly reload?: (remote: string) => Promise<ReloadOutcome> | undefined;
}

/** The REST API's part of a run: its routes, its bearer check, and the per-source locks. */
export interface RunApi {
  /** `/api/v1` routes, given the run's health model. */
  readonly routes: (health: HealthModel) => readonly Route[];
  readonly authorize: Authorize | undefined;
  /** The scheduler and `POST /sources/{id}/poll` both poll through these: never two at once. */
  readonly locks: SourceLocks;
}

/**
 * Prepares `global.api`'s REST API (docs/rest-api.md). Throws `HELR_API_UNPROTECTED` for a
 * non-loopback address without `global.api.auth`, and `HELR_SECRET_MISSING` when the token is
 * configured but empty: both before anything listens or polls.
 */
export function prepareRunApi(app: App, deps: RunApiDeps): RunApi {
  const locks = createSourceLocks();
  if (!app.global.api.enabled) return { routes: () => [], authorize: undefined, locks };
  checkApiBind(app.global);
  const authorize = loadApiAuthorize(app.global, process.env, (path) => readFileSync(path, "utf8"));
  const current = deps.current ?? (() => app);
  const poll = deps.poll;
  const reload = deps.reload;
  return {
    authorize,
    locks,
    routes: (health) =>
      apiRoutes({
        version: app.version,
        health,
        store: lazyStore(deps.store),
        sources: () => current().sources.map((s) => s.spec),
        global: () => current().global,
        now: Date.now,
        ...(poll
          ? {
              poll: async (id: string): Promise<PollOutcome> => {
                const started = poll(id);
                if (started === undefined) {
                  return { ok: false, events: 0, pages: 0, requests: 0, error: "the run is still starting" };
                }
                // The run's poll takes the source's lock itself (see cli/run.ts).
                return outcome(await started);
              },
            }
          : {}),
        ...(reload
          ? {
              reload: async (remote: string): Promise<ReloadOutcome> =>
                (await reload(remote)) ?? { ok: false, error: "the run is still starting" },
            }
          : {}),
      }),
  };
}

/** A poll's summary or failure as `POST /sources/{id}/poll` reports it. */
export function outcome(result: PollSummary | Error): PollOutcome {
  if (result instanceof Error) {
    const code = codeOf(result);
    return {
      ok: false,
      events: 0,
      pages: 0,
      requests: 0,
      error: result.message,
      ...(code !== undefined ? { code } : {}),
    };
  }
  return {
    ok: true,
    events: result.events,
    pages: result.pages,
    requests: result.requests,
    ...(result.stopReason !== undefined ? { stopReason: result.stopReason } : {}),
  };
}

/** The store the run opens later, for routes created before it: a clear error until then. */
function lazyStore(current: () => StateStore | undefined): StateStore {
  return new Proxy({} as StateStore, {
    get(_, key) {
      const store = current();
      if (store === undefined) throw new Error("the state store is not open yet");
      const value = (store as unknown as Record<PropertyKey, unknown>)[key];
      return typeof value === "function" ? value.bind(store) : value;
    },
  });
}
