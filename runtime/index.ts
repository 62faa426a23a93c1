/**
 * The runtime's public entry: the closed list of symbols generated code may import.
 * Everything is side-effect free, so esbuild drops what a bundle's sources do not use.
 */
export type { App, BoundSource } from "./app.ts";
export { defineSource } from "./app.ts";
export { bearerAuth } from "./auth/bearer.ts";
export { main } from "./cli/main.ts";
export { linkHeaderPagination } from "./paginate/link-header-paginator.ts";
export { singleRequest } from "./paginate/single.ts";
export type { GlobalSpec, SourceSpec } from "./spec.ts";
export { memoryStore } from "./state/memory.ts";
export { sqliteStore } from "./state/sqlite.ts";
