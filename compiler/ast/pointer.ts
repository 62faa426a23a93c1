import type { AstNode, KeyNode } from "./nodes.ts";

/** What a JSON Pointer resolves to: the node, and the key it sits under when in a map. */
export interface PointerTarget {
  readonly node: AstNode;
  readonly key?: KeyNode;
}

/** Splits an RFC 6901 JSON Pointer (`/sources/okta~1x/url`) into unescaped segments. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Builds a JSON Pointer from segments (the inverse of {@link parsePointer}). */
export function formatPointer(segments: readonly string[]): string {
  return segments.map((s) => `/${s.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/**
 * Resolves a pointer produced by the schema validator against the AST it validated.
 * Returns undefined only if the pointer does not exist, which would be a bug upstream.
 */
export function resolvePointer(root: AstNode, segments: readonly string[]): PointerTarget | undefined {
  let target: PointerTarget = { node: root };
  for (const segment of segments) {
    const next = step(target.node, segment);
    if (next === undefined) return undefined;
    target = next;
  }
  return target;
}

function step(node: AstNode, segment: string): PointerTarget | undefined {
  if (node.kind === "map") {
    const entry = node.entries.find((e) => e.key.value === segment);
    return entry === undefined ? undefined : { node: entry.value, key: entry.key };
  }
  if (node.kind === "seq" && /^(0|[1-9][0-9]*)$/.test(segment)) {
    const item = node.items[Number(segment)];
    return item === undefined ? undefined : { node: item };
  }
  return undefined;
}

/** Renders pointer segments for messages: `sources.okta.auth`, `headers["X-Id"]`, `scopes[0]`. */
export function dottedPath(segments: readonly string[]): string {
  let out = "";
  for (const segment of segments) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
