import { type AstNode, stringAt, valueAt } from "../ast/nodes.ts";
import { GLOBAL_SCHEMA } from "../config-shape/global.ts";
import { isPlanned, schemaNode } from "../config-shape/kit.ts";
import type { SchemaNode } from "../config-shape/schema-node.ts";
import { SOURCE_SCHEMA } from "../config-shape/source.ts";
import { propertyShape } from "../config-shape/walk.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { ConfigUnit } from "./units.ts";

/** The shape each kind of unit is checked against. */
const UNIT_SHAPES: Readonly<Record<ConfigUnit["kind"], SchemaNode>> = {
  source: schemaNode(SOURCE_SCHEMA),
  global: schemaNode(GLOBAL_SCHEMA),
};

/**
 * One warning per key the runtime ignores (marked `planned` in compiler/config-shape/), at the
 * outermost such key: a planned block warns once, not once per key inside it. Runs on units
 * that passed the schema, so every key has a shape.
 */
export function checkNotImplemented(unit: ConfigUnit): Diagnostic[] {
  return reportPlanned(unit.node, UNIT_SHAPES[unit.kind]);
}

/** {@link checkNotImplemented} for a map of any shape; key paths are relative to `node`. */
export function reportPlanned(node: AstNode, shape: SchemaNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(node, shape, [], out);
  return out;
}

function walk(node: AstNode, shape: SchemaNode, path: readonly string[], out: Diagnostic[]): void {
  if (node.kind !== "map") return;
  const tagOf = (tag: string) => stringAt(valueAt(node, tag));
  for (const entry of node.entries) {
    const child = propertyShape(shape, entry.key.value, tagOf);
    if (child === undefined) continue;
    const keyPath = [...path, entry.key.value];
    if (!isPlanned(child)) {
      walk(entry.value, child, keyPath, out);
      continue;
    }
    const message = `\`${keyPath.join(".")}\` is accepted but not implemented yet by the runtime; it has no effect`;
    out.push(diagnostic("HLR3001", entry.key.span, message));
  }
}
