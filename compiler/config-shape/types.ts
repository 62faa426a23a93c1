/**
 * The static types of a config after it passed schema and semantic checks, derived from the
 * shape with TypeBox's `Static`: a key added to the shape appears here, and a key removed from
 * it makes the IR code that reads it fail to compile. Only a validated document may be viewed
 * through these types: the schema guarantees the types, the semantic checks the combinations.
 */
import type { AUTH_SCHEMA } from "./auth.ts";
import type { GLOBAL_SCHEMA } from "./global.ts";
import type { Static } from "./kit.ts";
import type { PAGINATION_SCHEMA } from "./pagination.ts";
import type { RESILIENCE_SCHEMA } from "./resilience.ts";
import type { SOURCE_SCHEMA, WATERMARK_OPTIONS } from "./source.ts";

export type { RawConfigFile } from "./config.ts";

/** The `global:` block. */
export type RawGlobal = Static<typeof GLOBAL_SCHEMA>;

/** One entry under `sources:`. */
export type RawSource = Static<typeof SOURCE_SCHEMA>;

/** `auth:`, a union tagged by `type`. */
export type RawAuth = Static<typeof AUTH_SCHEMA>;

/** `auth:` with `type: oauth2`. */
export type RawOAuth2Auth = Extract<RawAuth, { readonly type: "oauth2" }>;

/** `pagination:`, a union tagged by `strategy`. */
export type RawPagination = Static<typeof PAGINATION_SCHEMA>;

/** A source's `resilience:` block. */
export type RawResilience = Static<typeof RESILIENCE_SCHEMA>;

/** The watermark options `state:` and `incremental_from:` share. */
export type RawWatermarkOptions = Pick<NonNullable<RawSource["state"]>, keyof typeof WATERMARK_OPTIONS>;
