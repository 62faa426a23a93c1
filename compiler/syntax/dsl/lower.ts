/**
 * The CST → AST visitor of `.helr`: turns the parser's tree into the format-neutral AST with
 * the YAML keys, so schema, semantic checks and the IR apply unchanged. Generic statements map
 * one to one (`key = value`, `key { … }`); shorthand is lowered here:
 *
 * - `timeout = 30s` → `timeout_secs: 30`, `max_line = 1MiB` → `max_line_bytes: 1048576`;
 * - `token = env OKTA_TOKEN` → `token_env: OKTA_TOKEN`, `ca = file "…"` → `ca_file: "…"`;
 * - the forms in forms.ts (`source id { … }`, `get "url"`, `auth bearer { … }`, …).
 *
 * Written as typed functions over the generated CST types (grammar/cst.ts) rather than a
 * chevrotain visitor class, whose `visit` returns `any`.
 */
import type { IToken } from "chevrotain";
import type {
  AssignmentCstNode,
  BlockCstNode,
  FileCstNode,
  KeyCstNode,
  ReferenceCstNode,
  ScalarCstNode,
  StatementCstNode,
  StatementsCstNode,
  ValueCstNode,
} from "../../../grammar/cst.ts";
import type { AstNode, KeyNode, ScalarNode } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { type Span, span } from "../../source/span.ts";
import { type Context, childContext, FILE_CONTEXT } from "./context.ts";
import { type LowerTools, lowerForm } from "./forms.ts";
import { MapBuilder } from "./map-builder.ts";
import { readString } from "./strings.ts";
import { durationValue, sizeValue, type UnitKind, unitKey } from "./units.ts";

/** Lowers a whole file; `root` is undefined when the file has no statements. */
export function lowerFile(
  cst: FileCstNode,
  file: string,
): { root: AstNode | undefined; diagnostics: Diagnostic[] } {
  const lowering = new Lowering(file);
  const root = new MapBuilder(file, (d) => lowering.report(d));
  lowering.statementsInto(cst.children.statements[0], FILE_CONTEXT, root);
  return { root: root.isEmpty ? undefined : root.build(span(file, 0, 0)), diagnostics: lowering.diagnostics };
}

const UNIT_NAMES: Readonly<Record<UnitKind, string>> = { duration: "a duration", size: "a size" };

class Lowering implements LowerTools {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly file: string) {}

  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  statementsInto(node: StatementsCstNode | undefined, ctx: Context, into: MapBuilder): void {
    for (const statement of node?.children.statement ?? []) this.statement(statement, ctx, into);
  }

  blockInto(block: BlockCstNode, ctx: Context, into: MapBuilder): void {
    into.cover(this.nodeSpan(block));
    this.statementsInto(block.children.statements[0], ctx, into);
  }

  private statement(statement: StatementCstNode, ctx: Context, into: MapBuilder): void {
    const { key: keyNodes, assignment, arguments: args, block } = statement.children;
    const key = this.key(keyNodes[0]);
    if (key === undefined) return;
    const at = this.nodeSpan(statement);
    into.cover(at);
    if (assignment?.[0] !== undefined) this.assignment(key, assignment[0], ctx, into);
    else if (block?.[0] !== undefined) this.blockEntry(key, block[0], ctx, into);
    else if (args?.[0] !== undefined) {
      const { scalar, block: formBlock } = args[0].children;
      lowerForm(this, { head: key, args: scalar, block: formBlock?.[0], ctx, into, at });
    }
  }

  private assignment(key: KeyNode, assignment: AssignmentCstNode, ctx: Context, into: MapBuilder): void {
    const value = assignment.children.value[0];
    if (value === undefined) return;
    const { scalar, reference, block } = value.children;
    const token = scalar?.[0] === undefined ? undefined : this.tokenOf(scalar[0]);
    const unit = token === undefined ? undefined : unitKindOf(token);
    if (block?.[0] !== undefined) this.blockEntry(key, block[0], ctx, into);
    else if (reference?.[0] !== undefined) this.referenceEntry(key, reference[0], ctx, into);
    else if (token !== undefined && unit !== undefined) this.unitEntry(key, token, unit, ctx, into);
    else into.add(key, this.value(value, childContext(ctx, key.value)));
  }

  private blockEntry(key: KeyNode, block: BlockCstNode, ctx: Context, into: MapBuilder): void {
    const child = childContext(ctx, key.value);
    // `sources { … }` shares its map with `source id { … }` statements.
    if (ctx.kind === "file" && key.value === "sources") {
      this.blockInto(block, child, into.nested(key));
      return;
    }
    const map = new MapBuilder(this.file, (d) => this.report(d));
    this.blockInto(block, child, map);
    into.add(key, map.build(this.nodeSpan(block)));
  }

  /** `timeout = 30s` → `timeout_secs: 30`. */
  private unitEntry(key: KeyNode, token: IToken, kind: UnitKind, ctx: Context, into: MapBuilder): void {
    const at = this.tokenSpan(token);
    if (ctx.kind === "data") {
      const message = `${UNIT_NAMES[kind]} has no meaning in \`${ctx.dataKey ?? "data"}\`, whose values are sent as written`;
      this.report(
        diagnostic("HLR1103", at, message, { hint: `write a number, or the string "${token.image}"` }),
      );
      return;
    }
    const target = unitKey(key.value, kind);
    if (target === undefined) {
      this.report(
        diagnostic("HLR1103", at, `\`${key.value}\` does not take ${UNIT_NAMES[kind]}`, {
          hint: unitHint(kind),
        }),
      );
      return;
    }
    const value = kind === "duration" ? durationValue(token.image, target) : sizeValue(token.image);
    if (kind === "size" && !Number.isInteger(value)) {
      this.report(diagnostic("HLR1103", at, `\`${token.image}\` is not a whole number of bytes`));
      return;
    }
    const newKey: KeyNode = target === key.value ? key : { value: target, span: key.span };
    into.add(newKey, { kind: "scalar", value, span: at });
  }

  /** `token = env OKTA_TOKEN` → `token_env: OKTA_TOKEN`. */
  private referenceEntry(key: KeyNode, reference: ReferenceCstNode, ctx: Context, into: MapBuilder): void {
    const { Env, File } = reference.children;
    const kindToken = Env?.[0] ?? File?.[0];
    const nameToken = this.referenceName(reference);
    if (kindToken === undefined || nameToken === undefined) return;
    if (ctx.kind === "data") {
      this.report(
        diagnostic(
          "HLR1105",
          this.nodeSpan(reference),
          `\`${kindToken.image}\` cannot be used in \`${ctx.dataKey ?? "data"}\``,
          {
            hint: "values here are sent as written; a `${VAR}` placeholder in a string is expanded at run time",
          },
        ),
      );
      return;
    }
    const suffix = Env?.[0] !== undefined ? "_env" : "_file";
    into.add({ value: key.value + suffix, span: key.span }, this.plainScalar(nameToken));
  }

  private referenceName(reference: ReferenceCstNode): IToken | undefined {
    const { Identifier, StringLiteral, RawString } = reference.children;
    return Identifier?.[0] ?? StringLiteral?.[0] ?? RawString?.[0];
  }

  /** A value in any position other than directly after `key =`. */
  private value(value: ValueCstNode, ctx: Context): AstNode {
    const { scalar, reference, list, block } = value.children;
    const at = this.nodeSpan(value);
    if (block?.[0] !== undefined) {
      const map = new MapBuilder(this.file, (d) => this.report(d));
      this.blockInto(block[0], ctx, map);
      return map.build(at);
    }
    if (list?.[0] !== undefined) {
      const items = (list[0].children.value ?? []).map((item) => this.value(item, ctx));
      return { kind: "seq", items, span: at };
    }
    if (reference?.[0] !== undefined) {
      this.report(
        diagnostic("HLR1105", at, "`env` and `file` can only be the value of a key", {
          hint: "write `token = env OKTA_TOKEN`, which sets `token_env`",
        }),
      );
      return { kind: "scalar", value: null, span: at };
    }
    const token = scalar?.[0] === undefined ? undefined : this.tokenOf(scalar[0]);
    if (token === undefined) return { kind: "scalar", value: null, span: at };
    const unit = unitKindOf(token);
    if (unit !== undefined) {
      const message = `${UNIT_NAMES[unit]} can only be the value of a key that takes one`;
      this.report(
        diagnostic("HLR1103", at, message, {
          hint: `${unitHint(unit)}; or write the string "${token.image}"`,
        }),
      );
    }
    return this.plainScalar(token);
  }

  plainScalar(token: IToken): ScalarNode {
    const at = this.tokenSpan(token);
    switch (token.tokenType.name) {
      case "StringLiteral":
      case "RawString":
        return this.stringScalar(token, at);
      case "NumberLiteral":
        return { kind: "scalar", value: Number(token.image), span: at };
      case "True":
      case "False":
        return { kind: "scalar", value: token.image === "true", span: at };
      case "Null":
        return { kind: "scalar", value: null, span: at };
      default:
        return { kind: "scalar", value: token.image, span: at, verbatimStart: at.start };
    }
  }

  private stringScalar(token: IToken, at: Span): ScalarNode {
    const read = readString(token.image);
    if (read.problem !== undefined) {
      const start = at.start + read.problem.offset;
      this.report(
        diagnostic("HLR1101", span(this.file, start, start + read.problem.length), read.problem.message, {
          hint: 'escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX and \\u{X…}; write \\\\ for a backslash',
        }),
      );
    }
    return read.verbatim
      ? { kind: "scalar", value: read.value, span: at, verbatimStart: at.start + 1 }
      : { kind: "scalar", value: read.value, span: at };
  }

  private key(node: KeyCstNode | undefined): KeyNode | undefined {
    const token = node === undefined ? undefined : firstToken(node.children);
    if (token === undefined) return undefined;
    const scalar = this.plainScalar(token);
    const value = typeof scalar.value === "string" ? scalar.value : token.image;
    const isString = token.tokenType.name === "StringLiteral" || token.tokenType.name === "RawString";
    const start = isString ? scalar.verbatimStart : scalar.span.start;
    return start === undefined
      ? { value, span: scalar.span }
      : { value, span: scalar.span, verbatimStart: start };
  }

  tokenOf(node: ScalarCstNode): IToken {
    const token = firstToken(node.children);
    if (token === undefined) throw new Error("a scalar CST node without a token");
    return token;
  }

  tokenSpan(token: IToken): Span {
    const end =
      Number.isNaN(token.endOffset) || token.endOffset === undefined
        ? token.startOffset
        : token.endOffset + 1;
    return span(this.file, token.startOffset, end);
  }

  private nodeSpan(node: { location?: { startOffset: number; endOffset?: number } }): Span {
    const start = node.location?.startOffset ?? 0;
    const end = node.location?.endOffset;
    return span(this.file, start, end === undefined || Number.isNaN(end) ? start : end + 1);
  }
}

function unitKindOf(token: IToken): UnitKind | undefined {
  if (token.tokenType.name === "Duration") return "duration";
  return token.tokenType.name === "Size" ? "size" : undefined;
}

function unitHint(kind: UnitKind): string {
  return kind === "duration"
    ? "durations go to keys ending in `_secs` or `_ms`, and the suffix may be left out (`timeout = 30s`)"
    : "sizes go to keys ending in `_bytes`, and the suffix may be left out (`max_response = 10MB`)";
}

/** The first token among a CST node's children (key and scalar nodes hold exactly one). */
function firstToken(children: Readonly<Record<string, readonly IToken[] | undefined>>): IToken | undefined {
  for (const tokens of Object.values(children)) if (tokens?.[0] !== undefined) return tokens[0];
  return undefined;
}
