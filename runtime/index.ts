/**
 * The runtime's public entry: the closed list of symbols generated code may import.
 * Everything is side-effect free, so esbuild drops what a bundle's sources do not use.
 */
export type { App, BoundSource } from "./app.ts";
export { defineSource } from "./app.ts";
export { apiKeyAuth } from "./auth/api-key.ts";
export { basicAuth } from "./auth/basic.ts";
export { bearerAuth } from "./auth/bearer.ts";
export { googleServiceAccountAuth } from "./auth/google.ts";
export { oauth2Auth } from "./auth/oauth2.ts";
export { main } from "./cli/main.ts";
export { hookScript } from "./hooks/binding.ts";
export { cursorPagination } from "./paginate/cursor.ts";
export { linkHeaderPagination } from "./paginate/link-header-paginator.ts";
export { offsetPagination, pageOffsetPagination } from "./paginate/offset.ts";
export { singleRequest } from "./paginate/single.ts";
export { timeWindowPagination } from "./paginate/time-window.ts";
export type { GlobalSpec, SourceSpec } from "./spec.ts";
export { memoryStore } from "./state/memory.ts";
export { postgresStore } from "./state/postgres.ts";
export { redisStore } from "./state/redis.ts";
export { sqliteStore } from "./state/sqlite.ts";
