/**
 * Building the Helr AST from Flicker nodes. Every node made here takes the span of the Flicker
 * node it comes from, so a later diagnostic (schema, semantic, cross-file) points at the line
 * the user wrote, even for keys that have a different name in Helr.
 */
import type { AstNode, KeyNode, MapEntry, MapNode, ScalarNode, ScalarValue } from "../../ast/nodes.ts";
import type { Span } from "../../source/span.ts";

/** A key named `value`, placed at `at`. */
export function keyAt(value: string, at: Span): KeyNode {
  return { value, span: at };
}

/** A scalar holding `value`, placed at `at`. */
export function scalarAt(value: ScalarValue, at: Span): ScalarNode {
  return { kind: "scalar", value, span: at };
}

/** One entry, keeping `value` as it is. */
export function entry(key: string, at: Span, value: AstNode): MapEntry {
  return { key: keyAt(key, at), value };
}

/** A map of `entries` at `at`. */
export function mapAt(entries: readonly MapEntry[], at: Span): MapNode {
  return { kind: "map", entries, span: at };
}

/** The same entry under another key name, at the original key's span (`endpoint:` → `url:`). */
export function renamed(from: MapEntry, key: string): MapEntry {
  return { key: { ...from.key, value: key }, value: from.value };
}

/** A `${NAME}` value and nothing else: the variable's name, else undefined. */
export function placeholderName(node: AstNode): string | undefined {
  if (node.kind !== "scalar" || typeof node.value !== "string") return undefined;
  return /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(node.value)?.[1];
}
