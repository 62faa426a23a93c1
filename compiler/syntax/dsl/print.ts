/**
 * AST (or plain config data) → canonical `.helr` text. The output parses back to the same AST
 * values in the same key order: forms (forms.ts) are used only where they lower to exactly the
 * entries being printed, in that order, and anything else is written in the generic
 * `key = value` / `key { … }` shape. Map order is the input order; nothing is sorted.
 */
import type { AstNode, MapEntry, MapNode, ScalarValue } from "../../ast/nodes.ts";
import type { PlainValue } from "../../ast/to-value.ts";
import { span } from "../../source/span.ts";
import { type Context, childContext, FILE_CONTEXT } from "./context.ts";
import { formStatement } from "./print-forms.ts";
import { type LayoutSource, layoutFile, type Stmt } from "./print-layout.ts";
import { writeWord } from "./strings.ts";
import { formatDuration, formatSize, shortUnitKey, unitKindOfKey } from "./units.ts";

export type { LayoutSource } from "./print-layout.ts";

/** A value `.helr` cannot write (a non-map top level, an infinite number). */
export class PrintError extends Error {
  override readonly name = "PrintError";
}

/**
 * Prints a config AST as `.helr`. Pass `source` (the text the AST was parsed from and its
 * comments) to keep comments and blank lines, as `helrc fmt` does.
 *
 * @throws PrintError when the config cannot be written in `.helr` at all.
 */
export function printHelr(root: AstNode | undefined, source?: LayoutSource): string {
  if (root !== undefined && root.kind !== "map")
    throw new PrintError(
      `the top level of a config must be a map of keys, not a ${root.kind === "seq" ? "list" : "value"}`,
    );
  const printer = new Printer(source !== undefined);
  return layoutFile(root === undefined ? [] : printer.statements(root.entries, FILE_CONTEXT), source);
}

/** Prints plain config data (as parsed from JSON or YAML) as `.helr`. */
export function printHelrValue(value: PlainValue): string {
  return printHelr(astOf(value));
}

/** Builds statements for entries of a map in a context; shared with print-forms.ts. */
export class Printer {
  constructor(private readonly positions: boolean) {}

  statements(entries: readonly MapEntry[], ctx: Context): Stmt[] {
    const out: Stmt[] = [];
    let index = 0;
    while (index < entries.length) {
      const form = ctx.kind === "data" ? undefined : formStatement(this, entries, index, ctx);
      if (form !== undefined) {
        out.push(...form.stmts);
        index += form.consumed;
        continue;
      }
      const entry = entries[index];
      if (entry !== undefined) out.push(this.entry(entry, ctx));
      index += 1;
    }
    return out;
  }

  /** `key = value`, `key { … }` or `key = [ … ]`, with durations, sizes, `env` and `file` outside data. */
  entry(entry: MapEntry, ctx: Context): Stmt {
    const { key, value } = entry;
    const pos = this.range([entry]);
    if (value.kind === "map")
      return this.block(writeWord(key.value), value, childContext(ctx, key.value), pos);
    if (value.kind === "seq")
      return this.list(`${writeWord(key.value)} =`, value.items, childContext(ctx, key.value), pos);
    const short = ctx.kind === "data" ? undefined : shorthand(key.value, value.value);
    return { head: short ?? `${writeWord(key.value)} = ${scalarText(value.value)}`, ...pos };
  }

  /** A block statement whose head is given (`auth bearer`, `source okta`, `transform`). */
  block(
    head: string,
    map: MapNode,
    ctx: Context,
    pos: Pick<Stmt, "start" | "end">,
    omitWhenEmpty = false,
  ): Stmt {
    return { head, body: { kind: "block", stmts: this.statements(map.entries, ctx), omitWhenEmpty }, ...pos };
  }

  /** The start and end of entries in the source, or NaN when printing without positions. */
  range(entries: readonly MapEntry[]): Pick<Stmt, "start" | "end"> {
    if (!this.positions || entries.length === 0) return { start: Number.NaN, end: Number.NaN };
    const starts = entries.flatMap((e) => [e.key.span.start, e.value.span.start]);
    const ends = entries.flatMap((e) => [e.key.span.end, e.value.span.end]);
    return { start: Math.min(...starts), end: Math.max(...ends) };
  }

  private list(
    head: string,
    items: readonly AstNode[],
    ctx: Context,
    pos: Pick<Stmt, "start" | "end">,
  ): Stmt {
    return { head, body: { kind: "list", items: items.map((item) => this.item(item, ctx)) }, ...pos };
  }

  private item(node: AstNode, ctx: Context): Stmt {
    const pos = this.positions
      ? { start: node.span.start, end: node.span.end }
      : { start: Number.NaN, end: Number.NaN };
    if (node.kind === "map") return this.block("", node, ctx, pos);
    if (node.kind === "seq") return this.list("", node.items, ctx, pos);
    return { head: scalarText(node.value), ...pos };
  }
}

/** `token = env X`, `ca = file "…"`, `timeout = 30s`, `max_line = 1MiB`, when the entry allows it. */
function shorthand(key: string, value: ScalarValue): string | undefined {
  for (const [suffix, word] of [
    ["_env", "env"],
    ["_file", "file"],
  ] as const) {
    if (typeof value === "string" && key.endsWith(suffix) && key.length > suffix.length)
      return `${writeWord(key.slice(0, -suffix.length))} = ${word} ${writeWord(value)}`;
  }
  if (typeof value !== "number") return undefined;
  const kind = unitKindOfKey(key);
  if (kind === undefined) return undefined;
  const literal = kind === "duration" ? formatDuration(value, key) : formatSize(value);
  if (literal === undefined) return undefined;
  // `timeout_secs = 30s` says seconds twice, so the suffix goes; `max_bytes` keeps its suffix,
  // which names what is measured (`max = 10MB` would not say what).
  return `${writeWord(kind === "duration" ? shortUnitKey(key, kind) : key)} = ${literal}`;
}

/** A scalar as `.helr` text. @throws PrintError for infinities and NaN. */
export function scalarText(value: ScalarValue): string {
  if (typeof value === "string") return writeWord(value);
  if (typeof value === "boolean" || value === null) return String(value);
  if (!Number.isFinite(value))
    throw new PrintError(`${value} cannot be written in .helr (numbers must be finite)`);
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Plain data → an AST without positions (every span empty). */
function astOf(value: PlainValue): AstNode {
  const at = span("", 0, 0);
  if (Array.isArray(value)) return { kind: "seq", items: value.map(astOf), span: at };
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value).map((key) => ({
      key: { value: key, span: at },
      value: astOf(value[key] as PlainValue),
    }));
    return { kind: "map", entries, span: at };
  }
  return { kind: "scalar", value, span: at };
}
