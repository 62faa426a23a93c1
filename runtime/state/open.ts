import type { App } from "../app.ts";
import { type Env, expand } from "../config/env.ts";
import { StateError, type StateStore, type StoreOptions } from "./store.ts";

/** Deployment settings that override the bundle's `global.state` without a rebuild. */
export interface StoreOverrides {
  /** `--state-path`: wins over HELR_STATE_PATH and `state.path`. */
  readonly statePath?: string | undefined;
  readonly env: Env;
}

/**
 * Opens the bundle's state store; shared by `run`, `test` and `state` so every command sees
 * the same state. Only the store's own settings are resolved — never a source's URL or
 * secrets — so `helr state` works without the sources' credentials.
 *
 * Order: `--state-path`, then the environment (HELR_STATE_PATH, HELR_STATE_URL — a URL may
 * hold a password, so it has no flag that `ps` would show), then the config, with `${VAR}` placeholders expanded. The path is resolved only for SQLite and the
 * URL only for Redis and Postgres, so an unused setting never needs its variables.
 *
 * @throws StateError when the backend is not linked, a setting is missing, or the store
 *   cannot be opened (the message names the file or host, never a password).
 */
export async function openStore(app: App, overrides: StoreOverrides): Promise<StateStore> {
  const state = app.global.state;
  const factory = app.stores[state.backend];
  if (!factory) {
    throw new StateError(
      "HELR_STATE_CONFIG",
      `state backend "${state.backend}" is not linked into this bundle; rebuild it with helrc`,
    );
  }
  return factory(storeOptions(app, overrides));
}

/** The options {@link openStore} passes to the backend's factory. */
export function storeOptions(app: App, { statePath, env }: StoreOverrides): StoreOptions {
  const state = app.global.state;
  if (state.backend === "sqlite") {
    return { path: nonEmpty(statePath) ?? nonEmpty(env.HELR_STATE_PATH) ?? expand(state.path, env) };
  }
  if (state.backend === "memory") return { path: "" };
  const url = nonEmpty(env.HELR_STATE_URL) ?? expandUrl(state.url, env);
  return url === undefined ? { path: "" } : { path: "", url };
}

function expandUrl(url: string | undefined, env: Env): string | undefined {
  return url === undefined ? undefined : nonEmpty(expand(url, env));
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === "" ? undefined : text;
}
