/**
 * What the hook-script compiler takes and gives. Pure data: the CLI reads the file, the pipeline
 * turns problems into diagnostics (each {@link HookProblemKind} maps to one HLR code).
 */

/** A hook script as the config names it. */
export interface HookSourceInput {
  /**
   * How messages name it: the path as written in the config (`andromeda-audit.js`), or
   * `sources.<id>.hooks.script_inline`. Never an absolute path: it is embedded in the bundle.
   */
  readonly name: string;
  readonly text: string;
  /** `ts` for `.ts`/`.mts`/`.cts` files (types stripped by esbuild); inline scripts are `js`. */
  readonly language: "js" | "ts";
  /**
   * `hooks.env`: when given, exactly these variables reach `ctx.env`, reads of others are errors
   * and dynamic reads are allowed. Absent: the script's literal `ctx.env.NAME` reads are the list.
   */
  readonly env?: readonly string[] | undefined;
  /** `global.hooks.allow_network`: without it fetch() does not exist in the sandbox. */
  readonly allowNetwork?: boolean | undefined;
}

/** Stable names of what the compiler reports about a hook script. */
export type HookProblemKind =
  /** Not valid JavaScript/TypeScript, or not accepted by QuickJS. */
  | "syntax"
  /** An `import`, `export … from` or `import()` of a module: the sandbox has no module loader. */
  | "import"
  /** None of getAuth, buildRequest, parseResponse, getNextPage, commitState is defined. */
  | "no-hooks"
  /** `ctx.env` read with a computed name, copied, spread or passed on, with no `hooks.env` list. */
  | "dynamic-env"
  /** A literal `ctx.env.NAME` read of a name `hooks.env` does not list. */
  | "env-not-listed"
  /** A top-level function or binding whose name is close to a hook's (`getauth`, `parseResponses`). */
  | "misspelled-hook"
  /** In a script with exports, a hook that is defined but not exported (it is not called). */
  | "not-exported"
  /** `require`, `process`, `module`, `__dirname`…: Node globals the sandbox does not have. */
  | "unavailable-global"
  /** fetch() is called but `global.hooks.allow_network` is false. */
  | "fetch-without-network";

/** One problem, located in the script's own text. */
export interface HookProblem {
  readonly kind: HookProblemKind;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly hint?: string;
  /** Offsets into the script text (UTF-16 code units), end exclusive. */
  readonly start: number;
  readonly end: number;
  /** 1-based line and column of `start` (the column counts UTF-16 code units, like tsc). */
  readonly line: number;
  readonly column: number;
}
