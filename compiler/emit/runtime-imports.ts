/**
 * The closed list of runtime symbols generated code may import (docs/architecture.md).
 *
 * The tables are keyed by the IR's discriminants and checked with `satisfies`, so adding an
 * auth type, paginator or store backend to runtime/spec.ts fails to compile here until the
 * emitter knows which factory to link.
 */
import type { AuthSpec, PaginationSpec, StateBackend } from "../../runtime/spec.ts";

/** The one module generated code imports. */
export const RUNTIME_MODULE = "@helr/runtime";

/** Value exports generated code uses. */
export type RuntimeValue =
  | "defineSource"
  | typeof HOOKS_FACTORY
  | (typeof AUTH_FACTORIES)[AuthSpec["type"]]
  | (typeof PAGINATION_FACTORIES)[PaginationSpec["strategy"]]
  | (typeof STORE_FACTORIES)[StateBackend];

/** Type exports generated code uses. */
export type RuntimeType = "App" | "GlobalSpec" | "SourceSpec";

/** What a source with hooks links (and with it QuickJS): no other source's module names it. */
export const HOOKS_FACTORY = "hookScript";

/** Auth factory per `auth.type`. */
export const AUTH_FACTORIES = {
  bearer: "bearerAuth",
  api_key: "apiKeyAuth",
  basic: "basicAuth",
  oauth2: "oauth2Auth",
  google_service_account: "googleServiceAccountAuth",
} as const satisfies Record<AuthSpec["type"], string>;

/** Pagination factory per `pagination.strategy`. */
export const PAGINATION_FACTORIES = {
  link_header: "linkHeaderPagination",
  cursor: "cursorPagination",
  page_offset: "pageOffsetPagination",
  offset: "offsetPagination",
  time_window: "timeWindowPagination",
  single: "singleRequest",
} as const satisfies Record<PaginationSpec["strategy"], string>;

/** State store factory per backend. */
export const STORE_FACTORIES = {
  memory: "memoryStore",
  sqlite: "sqliteStore",
  redis: "redisStore",
  postgres: "postgresStore",
} as const satisfies Record<StateBackend, string>;

/** The bundle entry's one import (compiler/bundle/generated-modules.ts): the runtime's CLI. */
export const ENTRY_MAIN = "main";

/**
 * Every value `runtime/index.ts` exports, no more and no less
 * (test/unit/compiler/emit/runtime-imports.test.ts holds the two equal).
 */
export const RUNTIME_VALUES: readonly (RuntimeValue | typeof ENTRY_MAIN)[] = [
  "defineSource",
  ENTRY_MAIN,
  HOOKS_FACTORY,
  ...Object.values(AUTH_FACTORIES),
  ...Object.values(PAGINATION_FACTORIES),
  ...Object.values(STORE_FACTORIES),
];

/**
 * Every type `runtime/index.ts` exports: the ones generated code names, and `BoundSource`,
 * the type `defineSource` returns.
 */
export const RUNTIME_TYPES: readonly (RuntimeType | "BoundSource")[] = [
  "App",
  "BoundSource",
  "GlobalSpec",
  "SourceSpec",
];
