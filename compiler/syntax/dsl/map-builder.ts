/**
 * Collects the entries of one map while statements are lowered: keeps source order, rejects
 * duplicate keys (HLR1002, as in YAML) and lets several `source` statements share one
 * `sources` map.
 */
import type { AstNode, KeyNode, MapEntry, MapNode } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { type Span, span } from "../../source/span.ts";

interface PendingEntry {
  readonly key: KeyNode;
  readonly value: AstNode | MapBuilder;
}

/** A map under construction. */
export class MapBuilder {
  private readonly entries: PendingEntry[] = [];
  private readonly byKey = new Map<string, PendingEntry>();
  private start = Number.POSITIVE_INFINITY;
  private end = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly file: string,
    private readonly report: (d: Diagnostic) => void,
  ) {}

  /** True when nothing was added. */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Widens the map's span to cover `at` (the statement that contributed). */
  cover(at: Span): void {
    this.start = Math.min(this.start, at.start);
    this.end = Math.max(this.end, at.end);
  }

  /** Adds `key = value`; a key seen before is reported and the new entry dropped. */
  add(key: KeyNode, value: AstNode): void {
    if (this.isDuplicate(key)) return;
    const entry = { key, value };
    this.entries.push(entry);
    this.byKey.set(key.value, entry);
  }

  /**
   * The map under `key`, created on first use and shared by later calls, so
   * `source a {…}` and `source b {…}` both land in one `sources` map.
   */
  nested(key: KeyNode): MapBuilder {
    const existing = this.byKey.get(key.value);
    if (existing?.value instanceof MapBuilder) return existing.value;
    const child = new MapBuilder(this.file, this.report);
    if (!this.isDuplicate(key)) {
      const entry = { key, value: child };
      this.entries.push(entry);
      this.byKey.set(key.value, entry);
    }
    return child;
  }

  /** The finished map; `fallback` is its span when nothing widened it. */
  build(fallback: Span): MapNode {
    const entries: MapEntry[] = this.entries.map(({ key, value }) => ({
      key,
      value: value instanceof MapBuilder ? value.build(key.span) : value,
    }));
    const at = this.start <= this.end ? span(this.file, this.start, this.end) : fallback;
    return { kind: "map", entries, span: at };
  }

  private isDuplicate(key: KeyNode): boolean {
    const first = this.byKey.get(key.value);
    if (first === undefined) return false;
    this.report(
      diagnostic("HLR1002", key.span, `duplicate key \`${key.value}\``, {
        hint: "each key may appear once per map; remove or merge one of them",
        related: [{ message: `\`${key.value}\` is first defined here`, span: first.key.span }],
      }),
    );
    return true;
  }
}
