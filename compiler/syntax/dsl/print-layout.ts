/**
 * Layout of printed `.helr`: statements → lines. Deterministic: a block goes on one line when
 * it is short and simple (`auth bearer { token = env X; prefix = SSWS }`), otherwise one
 * statement per line, two spaces per level. When the text the AST came from is known
 * (`helrc fmt`), its comments are kept where they were and blank lines between statements are
 * kept (several collapse to one); top-level blocks are always separated by a blank line.
 */
import type { DslComment } from "./parse-dsl.ts";

/** A statement (or list item) ready for layout. */
export interface Stmt {
  /** `timeout = 30s`, `auth bearer`, `scopes =`, or "" for a list item that is a block or list. */
  readonly head: string;
  readonly body?: Body;
  /** Offsets of the statement in the source text; NaN when there is none. */
  readonly start: number;
  readonly end: number;
}

/** The braces or brackets after a head. */
export type Body =
  | { readonly kind: "block"; readonly stmts: readonly Stmt[]; readonly omitWhenEmpty?: boolean }
  | { readonly kind: "list"; readonly items: readonly Stmt[] };

/** The original text and its comments (absent when printing data that had none). */
export interface LayoutSource {
  readonly text: string;
  readonly comments: readonly DslComment[];
}

/** Longest line an inline block or list may make. */
const WIDTH = 100;
/** Most statements an inline block may hold. */
const INLINE_MAX = 3;

/** Lays out top-level statements into the file's text (ending in a line break unless empty). */
export function layoutFile(stmts: readonly Stmt[], source: LayoutSource | undefined): string {
  const layout = new Layout(source);
  const lines = layout.children(stmts, 0, Number.POSITIVE_INFINITY, "");
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

class Layout {
  private next = 0;
  private readonly comments: readonly DslComment[];
  private readonly text: string;

  constructor(source: LayoutSource | undefined) {
    this.comments = source?.comments ?? [];
    this.text = source?.text ?? "";
  }

  /** The lines of a block's statements (or a list's items), comments and blank lines included. */
  children(stmts: readonly Stmt[], depth: number, blockEnd: number, suffix: string): string[] {
    const pad = "  ".repeat(depth);
    const lines: string[] = [];
    let lastEnd = Number.NaN;
    let previousLines = 0;
    for (const stmt of stmts) {
      const leading = this.takeBefore(stmt.start);
      const rendered = this.stmt(stmt, depth);
      rendered[rendered.length - 1] += suffix;
      const trailing = this.takeTrailing(stmt.end);
      if (trailing !== undefined) rendered[rendered.length - 1] += ` ${trailing.text}`;
      const forced = depth === 0 && lines.length > 0 && (previousLines > 1 || rendered.length > 1);
      let blankDone = false;
      for (const comment of leading) {
        if (lines.length > 0 && ((forced && !blankDone) || this.blankBetween(lastEnd, comment.start)))
          lines.push("");
        blankDone = true;
        lines.push(pad + comment.text);
        lastEnd = comment.end;
      }
      if (lines.length > 0 && ((forced && !blankDone) || this.blankBetween(lastEnd, stmt.start)))
        lines.push("");
      lines.push(...rendered);
      lastEnd = trailing?.end ?? stmt.end;
      previousLines = rendered.length;
    }
    for (const comment of this.takeBefore(blockEnd)) {
      if (lines.length > 0 && this.blankBetween(lastEnd, comment.start)) lines.push("");
      lines.push(pad + comment.text);
      lastEnd = comment.end;
    }
    return lines;
  }

  private stmt(stmt: Stmt, depth: number): string[] {
    const pad = "  ".repeat(depth);
    const body = stmt.body;
    if (body === undefined) return [pad + stmt.head];
    const empty = body.kind === "block" ? body.stmts.length === 0 : body.items.length === 0;
    if (empty && !this.hasCommentsIn(stmt.start, stmt.end)) return [pad + emptyText(stmt.head, body)];
    const inline =
      depth > 0 && !this.hasCommentsIn(stmt.start, stmt.end) ? inlineText(stmt, true) : undefined;
    if (inline !== undefined && pad.length + inline.length <= WIDTH) return [pad + inline];
    if (body.kind === "list" && depth === 0) {
      const flat = !this.hasCommentsIn(stmt.start, stmt.end) ? inlineText(stmt, false) : undefined;
      if (flat !== undefined && flat.length <= WIDTH) return [flat];
    }
    const [open, close] = body.kind === "block" ? ["{", "}"] : ["[", "]"];
    const inner =
      body.kind === "block"
        ? this.children(body.stmts, depth + 1, stmt.end, "")
        : this.children(body.items, depth + 1, stmt.end, ",");
    return [pad + withHead(stmt.head, open), ...inner, pad + close];
  }

  private takeBefore(offset: number): DslComment[] {
    const out: DslComment[] = [];
    while (this.next < this.comments.length) {
      const comment = this.comments[this.next];
      if (comment === undefined || !(comment.start < offset)) break;
      out.push(comment);
      this.next += 1;
    }
    return out;
  }

  /** The comment that follows `end` on the same line, if any. */
  private takeTrailing(end: number): DslComment | undefined {
    const comment = this.comments[this.next];
    if (comment === undefined || !(comment.start >= end)) return undefined;
    if (/[\r\n]/.test(this.text.slice(end, comment.start))) return undefined;
    this.next += 1;
    return comment;
  }

  private hasCommentsIn(start: number, end: number): boolean {
    const comment = this.comments[this.next];
    return comment !== undefined && comment.start >= start && comment.start < end;
  }

  /** True when the source has an empty line between two offsets. */
  private blankBetween(from: number, to: number): boolean {
    if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return false;
    return (this.text.slice(from, to).match(/\r\n|\r|\n/g)?.length ?? 0) >= 2;
  }
}

function withHead(head: string, bracket: string): string {
  return head === "" ? bracket : `${head} ${bracket}`;
}

function emptyText(head: string, body: Body): string {
  if (body.kind === "block" && body.omitWhenEmpty === true) return head;
  return withHead(head, body.kind === "block" ? "{}" : "[]");
}

/**
 * The one-line form of a statement, if it has one: blocks of at most INLINE_MAX simple
 * statements (`allowBlock`), lists of scalars.
 */
function inlineText(stmt: Stmt, allowBlock: boolean): string | undefined {
  const body = stmt.body;
  if (body === undefined) return stmt.head;
  if (body.kind === "list") {
    const items = body.items.map((item) => (item.body === undefined ? item.head : undefined));
    if (items.some((item) => item === undefined)) return undefined;
    return items.length === 0
      ? emptyText(stmt.head, body)
      : `${withHead(stmt.head, "[")}${items.join(", ")}]`;
  }
  if (!allowBlock || body.stmts.length > INLINE_MAX) return undefined;
  if (body.stmts.length === 0) return emptyText(stmt.head, body);
  const parts = body.stmts.map((child) => inlineText(child, false));
  if (parts.some((part) => part === undefined)) return undefined;
  return `${withHead(stmt.head, "{")} ${parts.join("; ")} }`;
}
