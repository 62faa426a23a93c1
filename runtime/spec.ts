/**
 * The contract between the compiler and the runtime.
 *
 * Generated modules are mostly data: `export const spec = { … } satisfies SourceSpec`.
 * The compiler's IR is exactly these types (compiler/ir builds them, defaults filled);
 * the runtime reads them. Strings may hold `${VAR}` / `${VAR:-default}` placeholders,
 * resolved at run time by runtime/config/env.ts — never at build time.
 */

/** A string that may contain `${VAR}` placeholders; resolved when the bundle runs. */
export type Template = string;

/** Where a secret comes from. The file wins when both are set (re-read on every use). */
export interface SecretRef {
  readonly env?: string;
  readonly file?: Template;
}

export interface BearerAuthSpec {
  readonly type: "bearer";
  readonly token: SecretRef;
  /** Authorization scheme, `Bearer` by default; `SSWS` for Okta API tokens. */
  readonly prefix: string;
}

export type AuthSpec = BearerAuthSpec;

export interface LinkHeaderPaginationSpec {
  readonly strategy: "link_header";
  /** Link relation to follow, matched case-insensitively. */
  readonly rel: string;
  readonly maxPages: number;
}

/** No pagination: one request per poll. */
export interface SinglePaginationSpec {
  readonly strategy: "single";
}

export type PaginationSpec = LinkHeaderPaginationSpec | SinglePaginationSpec;

export interface ScheduleSpec {
  readonly intervalSecs: number;
  /** Uniform random delay in [0, jitterSecs] added to each interval. */
  readonly jitterSecs: number;
}

export interface TransformSpec {
  /** Dotted path to the event time; when absent: published, timestamp, ts, created_at, then now. */
  readonly timestampField?: string;
  /** Dotted path to the event id, copied to `meta.id`. */
  readonly idField?: string;
}

export interface SourceSpec {
  /** The key under `sources:`. */
  readonly id: string;
  /** Where the source was defined, for messages (relative path, no absolute paths). */
  readonly origin: string;
  readonly url: Template;
  readonly method: "get" | "post";
  /** Extra request headers, sent on every request. */
  readonly headers: Readonly<Record<string, Template>>;
  /** Query parameters sent on the first request of a pass (not on followed links). */
  readonly queryParams: Readonly<Record<string, Template>>;
  /** Producer label in each NDJSON line: `{ [labelKey]: labelValue }`. */
  readonly labelKey: string;
  readonly labelValue: string;
  readonly schedule: ScheduleSpec;
  readonly auth?: AuthSpec;
  readonly pagination: PaginationSpec;
  readonly transform: TransformSpec;
  readonly timeoutSecs: number;
}

export type StateBackend = "sqlite" | "memory";

export interface StateSpec {
  readonly backend: StateBackend;
  /** SQLite file; `./helr-state.db` by default. Overridable at run time (HELR_STATE_PATH). */
  readonly path: Template;
}

export interface GlobalSpec {
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error";
  readonly logFormat: "json" | "pretty";
  /** Key of the producer label in Helr's own JSON logs (and the NDJSON default). */
  readonly labelKey: string;
  /** Value of the producer label in Helr's own logs. */
  readonly labelValue: string;
  readonly state: StateSpec;
}
