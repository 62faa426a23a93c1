/**
 * The data the compiler hands the hook runtime: one compiled script per source, embedded in the
 * bundle by `helrc build`, and the limits it runs under.
 */

/** The five hooks of the Rust Helr's contract (its docs/hooks.md), in the order a poll calls them. */
export const HOOK_NAMES = ["getAuth", "buildRequest", "parseResponse", "getNextPage", "commitState"] as const;

export type HookName = (typeof HOOK_NAMES)[number];

/** A hook script after `helrc build`: the JavaScript to evaluate and what the compiler learnt about it. */
export interface HookScript {
  /**
   * How messages name the script: the path as written in the config (`andromeda-audit.js`), or
   * `sources.<id>.hooks.script_inline` for an inline script. Never an absolute path.
   */
  readonly name: string;
  /** The JavaScript QuickJS evaluates, as a global script. */
  readonly code: string;
  /**
   * SHA-256 (hex) of the author's file as written (what `sha256sum` prints for it), so a log line
   * names the exact script version; a changed script is a changed generated module and bundle.
   */
  readonly sha256: string;
  /** The hooks the compiler found defined (the runtime looks them up again after evaluating). */
  readonly hooks: readonly HookName[];
  /** The only environment variables `ctx.env` may hold (sorted): literal reads plus `hooks.env`. */
  readonly env: readonly string[];
  /**
   * Set when the script exports its hooks (`export function getAuth…`): the compiler wrapped it so
   * that the exports land on this global, and the hooks are read from there.
   */
  readonly exportsGlobal?: string;
  /** Source map (JSON) from `code` back to the author's file, when `code` is not the file itself. */
  readonly sourceMap?: string;
}

/** The limits of `global.hooks`, resolved by the compiler (defaults in compiler/ir/defaults.ts). */
export interface HookLimits {
  /** `timeout_secs`: the whole of one hook call, awaited Promises and fetch() included. */
  readonly timeoutMs: number;
  /** `memory_limit_mb`: the most memory the source's sandbox may hold (at least 16). */
  readonly memoryLimitMb: number;
}
