/**
 * The format-neutral config AST. The YAML front end (and later the `.helr` DSL) produce it;
 * validation and IR building read only this, so they exist once. Every node has a span.
 */
import type { Span } from "../source/span.ts";

/** A scalar as the format read it (YAML 1.2 core schema: `yes` stays a string). */
export type ScalarValue = string | number | boolean | null;

/** A string, number, boolean or empty value. */
export interface ScalarNode {
  readonly kind: "scalar";
  readonly value: ScalarValue;
  readonly span: Span;
  /**
   * Offset where a string value appears character for character in the file (plain or
   * escape-free one-line quoted scalars), so a diagnostic can point inside the string.
   */
  readonly verbatimStart?: number;
}

/** A map key: always a string, with its own span so "unknown key" can point at it. */
export interface KeyNode {
  readonly value: string;
  readonly span: Span;
  readonly verbatimStart?: number;
}

/** One `key: value` pair of a map. */
export interface MapEntry {
  readonly key: KeyNode;
  readonly value: AstNode;
}

/** A map (YAML mapping) with string keys. */
export interface MapNode {
  readonly kind: "map";
  /** Entries in source order; keys are unique (duplicates are rejected while parsing). */
  readonly entries: readonly MapEntry[];
  readonly span: Span;
}

/** A list (YAML sequence). */
export interface SeqNode {
  readonly kind: "seq";
  readonly items: readonly AstNode[];
  readonly span: Span;
}

/** Any AST node; `kind` tells them apart. */
export type AstNode = ScalarNode | MapNode | SeqNode;

/** One parsed config file. `root` is undefined for an empty file (or one with only comments). */
export interface ConfigDocument {
  readonly file: string;
  readonly root: AstNode | undefined;
}

/** The entry for `key` in a map node, if the node is a map and has it. */
export function entryAt(node: AstNode | undefined, key: string): MapEntry | undefined {
  if (node?.kind !== "map") return undefined;
  return node.entries.find((entry) => entry.key.value === key);
}

/** The value for `key` in a map node, if present. */
export function valueAt(node: AstNode | undefined, key: string): AstNode | undefined {
  return entryAt(node, key)?.value;
}

/** The string value of a scalar node, or undefined for any other node or type. */
export function stringAt(node: AstNode | undefined): string | undefined {
  return node?.kind === "scalar" && typeof node.value === "string" ? node.value : undefined;
}
