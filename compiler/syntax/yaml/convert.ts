import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Scalar,
  type Node as YamlNode,
} from "yaml";
import type { AstNode, KeyNode, MapEntry, ScalarNode, ScalarValue } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { type Span, span } from "../../source/span.ts";

/** Upper bound on AST nodes per file, so an alias "billion laughs" cannot exhaust memory. */
const NODE_BUDGET = 100_000;

/** Thrown (and caught in {@link convertDocument}) when the node budget runs out. */
class BudgetExceeded extends Error {}

/**
 * Converts a parsed `yaml` document into the format-neutral AST. Reports duplicate keys
 * (with the first occurrence as related info), non-scalar keys and self-referencing aliases.
 */
export function convertDocument(
  doc: Document.Parsed,
  file: string,
  text: string,
): { root: AstNode | undefined; diagnostics: Diagnostic[] } {
  const converter = new Converter(doc, file, text);
  if (doc.contents === null) return { root: undefined, diagnostics: [] };
  try {
    const root = converter.node(doc.contents, span(file, 0, 0));
    return { root, diagnostics: converter.diagnostics };
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
    const at = span(file, 0, 0);
    const message = `the document expands to more than ${NODE_BUDGET} nodes (through aliases)`;
    return { root: undefined, diagnostics: [diagnostic("HLR1001", at, message)] };
  }
}

class Converter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly inProgress = new Set<YamlNode>();
  private budget = NODE_BUDGET;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly file: string,
    private readonly text: string,
  ) {}

  /** `fallback` is used for empty values, which have no width of their own. */
  node(yamlNode: unknown, fallback: Span): AstNode {
    if (--this.budget < 0) throw new BudgetExceeded();
    if (isAlias(yamlNode)) return this.alias(yamlNode, fallback);
    if (isMap(yamlNode) || isSeq(yamlNode)) {
      this.inProgress.add(yamlNode);
      try {
        return isMap(yamlNode) ? this.map(yamlNode) : this.seq(yamlNode);
      } finally {
        this.inProgress.delete(yamlNode);
      }
    }
    if (isScalar(yamlNode)) return this.scalar(yamlNode, fallback);
    return { kind: "scalar", value: null, span: fallback };
  }

  private alias(alias: Alias, fallback: Span): AstNode {
    const at = this.rangeSpan(alias, fallback);
    const target = alias.resolve(this.doc);
    if (target === undefined || this.inProgress.has(target)) {
      const message = `alias \`*${alias.source}\` refers to a node that contains it`;
      this.diagnostics.push(diagnostic("HLR1005", at, message));
      return { kind: "scalar", value: null, span: at };
    }
    return this.node(target, at);
  }

  private map(yamlMap: { items: unknown[]; range?: unknown }): AstNode {
    const entries: MapEntry[] = [];
    const firstByKey = new Map<string, KeyNode>();
    const mapSpan = this.rangeSpan(yamlMap, span(this.file, 0, 0));
    const merges: unknown[] = [];
    for (const pair of yamlMap.items) {
      if (!isPair(pair)) continue;
      if (isMergeKey(pair.key)) {
        merges.push(pair.value);
        continue;
      }
      const key = this.key(pair.key, mapSpan);
      if (key === undefined) continue;
      const value = this.node(pair.value, key.span);
      const first = firstByKey.get(key.value);
      if (first !== undefined) {
        this.reportDuplicate(key, first);
        continue;
      }
      firstByKey.set(key.value, key);
      entries.push({ key, value });
    }
    for (const merge of merges) entries.push(...this.merged(merge, mapSpan, firstByKey));
    return { kind: "map", entries, span: mapSpan };
  }

  /**
   * `<<: *base` (or a list of aliases) copies the keys of the aliased maps that the map
   * does not set itself; earlier maps win. Not YAML 1.2 core, but common in configs.
   */
  private merged(value: unknown, mapSpan: Span, seen: Map<string, KeyNode>): MapEntry[] {
    const source = this.node(value, mapSpan);
    const maps = source.kind === "seq" ? source.items : [source];
    const out: MapEntry[] = [];
    for (const map of maps) {
      if (map.kind !== "map") {
        // Point at what the user wrote after `<<:`, not at the anchor it refers to.
        const at = this.rangeSpan((value ?? {}) as object, mapSpan);
        this.diagnostics.push(
          diagnostic("HLR1006", at, "`<<` must be given a map, or a list of maps, to merge"),
        );
        continue;
      }
      for (const entry of map.entries) {
        if (seen.has(entry.key.value)) continue;
        seen.set(entry.key.value, entry.key);
        out.push(entry);
      }
    }
    return out;
  }

  private seq(yamlSeq: { items: unknown[]; range?: unknown }): AstNode {
    const seqSpan = this.rangeSpan(yamlSeq, span(this.file, 0, 0));
    const items = yamlSeq.items.map((item) => this.node(item, seqSpan));
    return { kind: "seq", items, span: seqSpan };
  }

  private scalar(yamlScalar: Scalar, fallback: Span): ScalarNode {
    const value = scalarValue(yamlScalar.value);
    const at = this.rangeSpan(yamlScalar, fallback);
    const verbatimStart = typeof value === "string" ? this.verbatimStart(yamlScalar, value) : undefined;
    return verbatimStart === undefined
      ? { kind: "scalar", value, span: at }
      : { kind: "scalar", value, span: at, verbatimStart };
  }

  private key(yamlKey: unknown, mapSpan: Span): KeyNode | undefined {
    const resolved = isAlias(yamlKey) ? yamlKey.resolve(this.doc) : yamlKey;
    if (isScalar(resolved) && resolved.value !== null && typeof resolved.value !== "object") {
      const value = String(resolved.value);
      const at = this.rangeSpan(yamlKey as object, mapSpan);
      const start = typeof resolved.value === "string" ? this.verbatimStart(resolved, value) : undefined;
      return start === undefined ? { value, span: at } : { value, span: at, verbatimStart: start };
    }
    const at = this.rangeSpan((yamlKey ?? {}) as object, mapSpan);
    const message = "map keys must be plain strings, not empty values, lists or maps";
    this.diagnostics.push(diagnostic("HLR1003", at, message));
    return undefined;
  }

  private reportDuplicate(key: KeyNode, first: KeyNode): void {
    this.diagnostics.push(
      diagnostic("HLR1002", key.span, `duplicate key \`${key.value}\``, {
        hint: "each key may appear once per map; remove or merge one of them",
        related: [{ message: `\`${key.value}\` is first defined here`, span: first.span }],
      }),
    );
  }

  /** Where the string appears verbatim: plain scalars, and quoted ones without escapes. */
  private verbatimStart(node: Scalar, value: string): number | undefined {
    const range = node.range;
    if (range === undefined || range === null) return undefined;
    const [start, end] = range;
    if (node.type === "PLAIN") return this.text.slice(start, end) === value ? start : undefined;
    if (node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE") {
      return this.text.slice(start + 1, end - 1) === value ? start + 1 : undefined;
    }
    return undefined;
  }

  /** The node's value range; an empty (zero-width) value falls back to its key's span. */
  private rangeSpan(node: object, fallback: Span): Span {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range === undefined || range === null || range[1] <= range[0]) return fallback;
    return span(this.file, range[0], range[1]);
  }
}

/** A plain (unquoted) `<<` key; `"<<"` stays an ordinary key. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.type === "PLAIN" && key.value === "<<";
}

function scalarValue(value: unknown): ScalarValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  return String(value);
}
