import type { GlobalHooksSpec, HooksSpec } from "../spec.ts";
import { createHookRunner, type HookRunner, type HookRunnerOptions } from "./runner.ts";
import type { HookScript } from "./types.ts";

/** A source's compiled hook script, bound by its generated module (`hooks: hookScript`). */
export interface SourceHooks {
  readonly script: HookScript;
  /** `hooks.allow_hosts`: hosts beyond the source's own that fetch() and returned URLs may reach. */
  readonly allowHosts: readonly string[];
  readonly settings: GlobalHooksSpec;
  /** Evaluates the script in a fresh sandbox (once per source and process). */
  start(options: HookRunnerOptions): Promise<HookRunner>;
}

/** The hooks factory generated modules link for a source with `hooks:` (and only then QuickJS). */
export function hookScript(spec: HooksSpec): SourceHooks {
  const { script, settings } = spec;
  if (script === undefined || settings === undefined)
    throw new Error("hooks without a compiled script (helrc bug)");
  return {
    script,
    settings,
    allowHosts: spec.allowHosts,
    start: (options) => createHookRunner(script, options),
  };
}
