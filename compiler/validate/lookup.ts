/**
 * Small readers over a schema-checked unit, for the semantic checks: they may assume the
 * shapes the schema guarantees, but a key may always be absent.
 */
import { type AstNode, entryAt, type MapEntry, stringAt, valueAt } from "../ast/nodes.ts";

/** The node at a path of keys, or undefined when any step is missing. */
export function nodeAt(node: AstNode | undefined, ...keys: readonly string[]): AstNode | undefined {
  let current = node;
  for (const key of keys) current = valueAt(current, key);
  return current;
}

/** The entry (key and value) at a path of keys. */
export function entryPath(node: AstNode | undefined, ...keys: readonly string[]): MapEntry | undefined {
  const last = keys.at(-1);
  return last === undefined ? undefined : entryAt(nodeAt(node, ...keys.slice(0, -1)), last);
}

/** True when the map has the key (whatever its value). */
export function has(node: AstNode | undefined, key: string): boolean {
  return entryAt(node, key) !== undefined;
}

/** The string at a path of keys. */
export function textAt(node: AstNode | undefined, ...keys: readonly string[]): string | undefined {
  return stringAt(nodeAt(node, ...keys));
}

/** The number at a path of keys. */
export function numberAt(node: AstNode | undefined, ...keys: readonly string[]): number | undefined {
  const found = nodeAt(node, ...keys);
  return found?.kind === "scalar" && typeof found.value === "number" ? found.value : undefined;
}

/** The boolean at a path of keys. */
export function flagAt(node: AstNode | undefined, ...keys: readonly string[]): boolean | undefined {
  const found = nodeAt(node, ...keys);
  return found?.kind === "scalar" && typeof found.value === "boolean" ? found.value : undefined;
}

/** True when `<name>_env` or `<name>_file` is set: a secret has a source. */
export function hasSecret(node: AstNode | undefined, name: string): boolean {
  return has(node, `${name}_env`) || has(node, `${name}_file`);
}

/** `` `a_env` or `a_file` `` for messages. */
export function secretKeys(name: string): string {
  return `\`${name}_env\` or \`${name}_file\``;
}
