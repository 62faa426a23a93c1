import { HelrError } from "../errors/helr-error.ts";
import type { HookName } from "./types.ts";

/**
 * Stable codes of hook failures. Every one fails only the call (and so the poll of that one
 * source); the sandbox stays usable for the next call.
 */
export const HOOK_ERROR_CODES = {
  /** The script did not evaluate: a syntax error, a top-level throw, no hooks, a hook that is not a function. */
  load: "HELR_HOOK_LOAD",
  /** The hook threw, or the Promise it returned rejected. */
  error: "HELR_HOOK_ERROR",
  /** The call ran past `timeout_secs` (a loop, a slow fetch) and was stopped. */
  timeout: "HELR_HOOK_TIMEOUT",
  /** The sandbox reached `memory_limit_mb`; the call was stopped and the sandbox rebuilt. */
  memory: "HELR_HOOK_MEMORY",
  /** The hook returned a value of the wrong shape, or one that is not JSON. */
  shape: "HELR_HOOK_SHAPE",
  /** A URL the hook returned (buildRequest, getNextPage) is on a host the source may not reach. */
  host: "HELR_HOOK_HOST",
  /** The hook returned a Promise that nothing can settle (it awaits neither a fetch nor a job). */
  stalled: "HELR_HOOK_STALLED",
  /** QuickJS itself failed (a WebAssembly trap); the sandbox was discarded and is rebuilt on the next call. */
  sandbox: "HELR_HOOK_SANDBOX",
  /** The sandbox was called after close(). */
  closed: "HELR_HOOK_CLOSED",
} as const;

export type HookErrorCode = (typeof HOOK_ERROR_CODES)[keyof typeof HOOK_ERROR_CODES];

/** A position in the author's script file (1-based line and column). */
export interface ScriptLocation {
  readonly line: number;
  readonly column: number;
}

/** Which script and hook a failure belongs to. */
export interface HookErrorSite {
  readonly sourceId: string;
  /** The script's display name ({@link HookScript.name}). */
  readonly script: string;
  /** Absent for failures while the script itself is evaluated. */
  readonly hook?: HookName | undefined;
  readonly location?: ScriptLocation | undefined;
}

/**
 * A failed hook call. The message names the source, the hook and the script position, e.g.
 * `source "andromeda-audit": hook getAuth threw Error: login failed: 401 (at andromeda-audit.js:57:11)`.
 * Messages never carry credentials: the sandbox masks the values of `ctx.env` in them.
 */
export class HookError extends HelrError {
  declare readonly code: HookErrorCode;
  readonly sourceId: string;
  readonly script: string;
  readonly hook: HookName | undefined;
  readonly location: ScriptLocation | undefined;

  constructor(
    code: HookErrorCode,
    site: HookErrorSite,
    detail: string,
    options?: { readonly cause?: unknown },
  ) {
    super(code, hookMessage(site, detail), options);
    this.name = "HookError";
    this.sourceId = site.sourceId;
    this.script = site.script;
    this.hook = site.hook;
    this.location = site.location;
  }
}

function hookMessage(site: HookErrorSite, detail: string): string {
  const who = site.hook ? `hook ${site.hook}` : "hook script";
  const where = site.location
    ? `at ${site.script}:${site.location.line}:${site.location.column}`
    : `in ${site.script}`;
  return `source "${site.sourceId}": ${who} ${detail} (${where})`;
}
