/**
 * The config shape of a helr.yaml file (and of a `.helr` file, which lowers to the same tree):
 * the one definition of which keys exist, their types, ranges, allowed values, defaults,
 * descriptions and whether the runtime implements them. From it come the JSON Schema (draft-07)
 * that ajv compiles and `helrc schema` prints, the generated key reference in
 * docs/configuration.md, the HLR3001 warnings, the DSL's unit keys, and the static types the IR
 * builders read (types.ts). compiler/README.md says how to add a key.
 */
import * as Type from "typebox";
import { AUTH_SCHEMA } from "./auth.ts";
import { COMMON_DEFINITIONS, SOURCE_ID_PATTERN } from "./common.ts";
import { GLOBAL_SCHEMA } from "./global.ts";
import { ref, type Static, schemaNode, type TSchema } from "./kit.ts";
import { PAGINATION_SCHEMA } from "./pagination.ts";
import { RESILIENCE_SCHEMA } from "./resilience.ts";
import type { SchemaNode } from "./schema-node.ts";
import { SOURCE_SCHEMA } from "./source.ts";

export type { SchemaNode } from "./schema-node.ts";

/** Root schema plus the `definitions` its `$ref`s point into. */
export interface RootSchema extends SchemaNode {
  readonly $schema: string;
  readonly $id: string;
  readonly title: string;
  readonly definitions: Readonly<Record<string, SchemaNode>>;
}

const sources = Type.Unsafe<Record<string, Static<typeof SOURCE_SCHEMA>>>({
  type: "object",
  description: "Sources by id. Ids are unique across all files.",
  propertyNames: { pattern: SOURCE_ID_PATTERN, maxLength: 64 },
  additionalProperties: ref("source", SOURCE_SCHEMA),
});

/** The top-level keys of a file. */
const TOP_LEVEL = { global: ref("global", GLOBAL_SCHEMA), sources };

/** A whole file after schema and semantic checks: both top-level keys may be absent. */
export type RawConfigFile = { readonly [K in keyof typeof TOP_LEVEL]?: Static<(typeof TOP_LEVEL)[K]> };

/** The config schema. Plain data: `JSON.stringify(CONFIG_SCHEMA)` is the published schema. */
export const CONFIG_SCHEMA: RootSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://helr.dev/schema/helr.yaml.json",
  title: "Helr config file",
  type: "object",
  additionalProperties: false,
  // `x-…` keys hold YAML anchors shared by several sources (`x-defaults: &d {…}`); ignored.
  patternProperties: { "^x-": { description: "Extension key for YAML anchors; ignored." } },
  properties: schemaNodes(TOP_LEVEL),
  definitions: schemaNodes({
    ...COMMON_DEFINITIONS,
    global: GLOBAL_SCHEMA,
    source: SOURCE_SCHEMA,
    auth: AUTH_SCHEMA,
    pagination: PAGINATION_SCHEMA,
    resilience: RESILIENCE_SCHEMA,
  }),
};

function schemaNodes(nodes: Readonly<Record<string, TSchema>>): Readonly<Record<string, SchemaNode>> {
  return Object.fromEntries(Object.entries(nodes).map(([name, node]) => [name, schemaNode(node)]));
}

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
