/**
 * The JSON Schema (draft-07) of a helr.yaml file: the one source of truth for which keys
 * exist, their types, ranges and allowed values. `helrc schema` prints it as JSON; the
 * validator compiles it with ajv; hints read allowed keys from it.
 */
import { AUTH_SCHEMA } from "./schema/auth.ts";
import { COMMON_DEFINITIONS, SOURCE_ID_PATTERN } from "./schema/common.ts";
import { GLOBAL_SCHEMA } from "./schema/global.ts";
import { PAGINATION_SCHEMA } from "./schema/pagination.ts";
import { RESILIENCE_SCHEMA } from "./schema/resilience.ts";
import { SOURCE_SCHEMA } from "./schema/source.ts";
import type { SchemaNode } from "./schema/types.ts";

export type { SchemaNode } from "./schema/types.ts";

/** Root schema plus the `definitions` its `$ref`s point into. */
export interface RootSchema extends SchemaNode {
  readonly $schema: string;
  readonly $id: string;
  readonly title: string;
  readonly definitions: Readonly<Record<string, SchemaNode>>;
}

/** The config schema. Plain data: `JSON.stringify(CONFIG_SCHEMA)` is the published schema. */
export const CONFIG_SCHEMA: RootSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://helr.dev/schema/helr.yaml.json",
  title: "Helr config file",
  type: "object",
  additionalProperties: false,
  // `x-…` keys hold YAML anchors shared by several sources (`x-defaults: &d {…}`); ignored.
  patternProperties: { "^x-": { description: "Extension key for YAML anchors; ignored." } },
  properties: {
    global: { $ref: "#/definitions/global" },
    sources: {
      type: "object",
      description: "Sources by id. Ids are unique across all files.",
      propertyNames: { pattern: SOURCE_ID_PATTERN, maxLength: 64 },
      additionalProperties: { $ref: "#/definitions/source" },
    },
  },
  definitions: {
    ...COMMON_DEFINITIONS,
    global: GLOBAL_SCHEMA,
    source: SOURCE_SCHEMA,
    auth: AUTH_SCHEMA,
    pagination: PAGINATION_SCHEMA,
    resilience: RESILIENCE_SCHEMA,
  },
};

/** Follows a local `$ref` (`#/definitions/x`); other nodes are returned as they are. */
export function resolveRef(node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = node.$ref.replace(/^#\/definitions\//, "");
  const target = CONFIG_SCHEMA.definitions[name];
  return target === undefined ? node : { ...target, ...withoutRef(node) };
}

function withoutRef(node: SchemaNode): SchemaNode {
  const { $ref: _ignored, ...rest } = node;
  return rest;
}
