import type { AstNode } from "./nodes.ts";

/** Plain JSON-like data, as the schema validator and the IR builder see it. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/**
 * Converts the AST to plain data for the schema validator. Map keys are defined as own
 * properties, so a key named `__proto__` stays data and never reaches an object's prototype.
 */
export function toPlainValue(node: AstNode): PlainValue {
  switch (node.kind) {
    case "scalar":
      return node.value;
    case "seq":
      return node.items.map(toPlainValue);
    case "map": {
      const out: { [key: string]: PlainValue } = {};
      for (const entry of node.entries) defineOwn(out, entry.key.value, toPlainValue(entry.value));
      return out;
    }
  }
}

/** Sets `key` as an ordinary own, enumerable property, whatever its name. */
export function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
