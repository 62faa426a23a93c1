import type { AstNode } from "../ast/nodes.ts";

/** "a string", "a list", "an empty value": how a node reads in a message. */
export function describeNode(node: AstNode): string {
  if (node.kind === "map") return "a map";
  if (node.kind === "seq") return "a list";
  const value = node.value;
  if (value === null) return "an empty value";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "number") return Number.isFinite(value) ? "a number" : `\`${value}\``;
  return "a string";
}

/** JSON Schema type names as words; integers read as "number" unless the value is a fraction. */
export function describeTypes(types: string | readonly string[]): string {
  const list = (typeof types === "string" ? [types] : [...types]).map(typeWord);
  const unique = [...new Set(list)];
  if (unique.length <= 1) return unique[0] ?? "a value";
  return `${unique.slice(0, -1).join(", ")} or ${unique.at(-1)}`;
}

function typeWord(type: string): string {
  switch (type) {
    case "object":
      return "a map";
    case "array":
      return "a list";
    case "integer":
    case "number":
      return "a number";
    case "boolean":
      return "a boolean (`true` or `false`)";
    case "null":
      return "an empty value";
    default:
      return `a ${type}`;
  }
}

/** A scalar shown inside a message: strings in backticks, long ones shortened. */
export function showValue(node: AstNode): string {
  if (node.kind !== "scalar") return describeNode(node);
  const text = String(node.value);
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `\`${short.replace(/`/g, "'").replace(/\s+/g, " ")}\``;
}

/** True for a string that YAML would have read as a number without the quotes. */
export function looksNumeric(value: string): boolean {
  return /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(value.trim());
}
