/**
 * Reading the shape by key: what a key of a map is, across `$ref`s and tagged unions. Used
 * where a config tree is walked together with its shape (HLR3001, tests) and by the DSL, which
 * needs every key name.
 */
import { CONFIG_SCHEMA, resolveRef } from "./config.ts";
import type { SchemaNode } from "./schema-node.ts";

/** The tag value of a map being walked (its `type:` or `strategy:`), if it has one. */
export type TagReader = (tag: string) => unknown;

/**
 * The shape of `key` inside a map of shape `node`, or undefined when the shape does not name
 * it (a free-form map such as `headers:`, or a key the schema rejects). For a tagged union the
 * branch is the one `tagOf` names; the node is returned unresolved, so annotations on it
 * (such as `planned`) are still there.
 */
export function propertyShape(node: SchemaNode, key: string, tagOf: TagReader): SchemaNode | undefined {
  const schema = branchOf(resolveRef(node), tagOf);
  return schema?.properties?.[key];
}

/** The branch of a tagged union that a map's tag names; any other node is its own branch. */
export function branchOf(node: SchemaNode, tagOf: TagReader): SchemaNode | undefined {
  const tag = node.discriminator?.propertyName;
  if (tag === undefined) return node;
  const value = tagOf(tag);
  return node.oneOf?.map(resolveRef).find((branch) => branch.properties?.[tag]?.const === value);
}

/** Every key name the shape has anywhere (`interval_secs`, `max_bytes`, …). */
export function everyKeyName(): ReadonlySet<string> {
  const out = new Set<string>();
  const seen = new Set<SchemaNode>();
  const visit = (node: SchemaNode | boolean | undefined): void => {
    if (node === undefined || typeof node === "boolean" || seen.has(node)) return;
    seen.add(node);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      out.add(name);
      visit(child);
    }
    for (const child of node.oneOf ?? []) visit(child);
    visit(node.items);
    visit(node.additionalProperties);
  };
  visit(CONFIG_SCHEMA);
  for (const definition of Object.values(CONFIG_SCHEMA.definitions)) visit(definition);
  return out;
}
