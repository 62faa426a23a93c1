/**
 * The forms of `.helr`: statements whose key is followed by words instead of `=` or a block.
 * Each lowers to ordinary map entries with the YAML keys, so validation and the IR never see
 * a difference. The printer (print-forms.ts) writes exactly these shapes back.
 *
 * | where    | form                          | entries                                   |
 * |----------|-------------------------------|-------------------------------------------|
 * | top      | `source ID { … }`             | `sources: { ID: { … } }`                  |
 * | source   | `get URL`, `post URL`         | `method: get`, `url: URL`                 |
 * | source   | `auth TYPE { … }`             | `auth: { type: TYPE, … }`                 |
 * | source   | `pagination STRATEGY { … }`   | `pagination: { strategy: STRATEGY, … }`   |
 * | source   | `every D [jitter D]`          | `schedule: { interval_secs, jitter_secs }`|
 * | global   | `state BACKEND [ARG] { … }`   | `state: { backend, path (sqlite) or url }`|
 */
import type { IToken } from "chevrotain";
import type { BlockCstNode, ScalarCstNode } from "../../../grammar/cst.ts";
import type { KeyNode, ScalarNode } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { type Span, span } from "../../source/span.ts";
import { type Context, type ContextKind, childContext } from "./context.ts";
import { MapBuilder } from "./map-builder.ts";
import { durationValue } from "./units.ts";

/** What a form needs from the lowering. */
export interface LowerTools {
  readonly file: string;
  report(d: Diagnostic): void;
  /** The one token of a scalar. */
  tokenOf(node: ScalarCstNode): IToken;
  tokenSpan(token: IToken): Span;
  /** A string, word or other plain scalar as an AST node (strings unescaped). */
  plainScalar(token: IToken): ScalarNode;
  /** Lowers a block's statements into `into`, and widens `into` to the braces. */
  blockInto(block: BlockCstNode, ctx: Context, into: MapBuilder): void;
}

/** One statement in form shape: `head arg… [{ … }]`. */
export interface FormStatement {
  readonly head: KeyNode;
  readonly args: readonly ScalarCstNode[];
  readonly block: BlockCstNode | undefined;
  readonly ctx: Context;
  readonly into: MapBuilder;
  readonly at: Span;
}

type Form = (tools: LowerTools, statement: FormStatement) => void;

/** Tokens that can name something (an id, a URL, a type): words and strings. */
const NAME_TOKENS = new Set(["Identifier", "StringLiteral", "RawString"]);

const FORMS: Readonly<Partial<Record<ContextKind, Readonly<Record<string, Form>>>>> = {
  file: { source: sourceForm },
  source: {
    get: methodForm,
    post: methodForm,
    auth: taggedForm("type", "the auth type, e.g. `auth bearer { … }`"),
    pagination: taggedForm("strategy", "the strategy, e.g. `pagination link_header { … }`"),
    every: everyForm,
  },
  global: {
    state: taggedForm("backend", 'the backend, e.g. `state sqlite "./helr-state.db"`', stateArgumentKey),
  },
};

/** Where the word after the backend goes in `state BACKEND WORD`: a file path for sqlite, else a URL. */
export function stateArgumentKey(backend: string): string {
  return backend === "sqlite" ? "path" : "url";
}

/** Lowers a statement in form shape, or explains why it is not one. */
export function lowerForm(tools: LowerTools, statement: FormStatement): void {
  const form = FORMS[statement.ctx.kind]?.[statement.head.value];
  if (form !== undefined) {
    form(tools, statement);
    return;
  }
  const first = statement.args[0];
  const firstText = first === undefined ? "…" : tools.tokenOf(first).image;
  const end = first === undefined ? statement.head.span.end : tools.tokenSpan(tools.tokenOf(first)).end;
  tools.report(
    diagnostic(
      "HLR1104",
      span(tools.file, statement.head.span.start, end),
      `\`${statement.head.value}\` is followed by a value without \`=\``,
      {
        hint: `write \`${statement.head.value} = ${firstText}\`, or \`${statement.head.value} { … }\` for a block`,
      },
    ),
  );
}

/** `source okta-audit { … }` → `sources: { okta-audit: { … } }`. */
function sourceForm(tools: LowerTools, { head, args, block, into, at }: FormStatement): void {
  const token = args.length === 1 && args[0] !== undefined ? tools.tokenOf(args[0]) : undefined;
  if (token === undefined || !NAME_TOKENS.has(token.tokenType.name)) {
    misuse(tools, head, args, "`source` takes one id and a block: `source okta-audit { … }`");
    return;
  }
  const id = tools.plainScalar(token);
  const key: KeyNode = keyFrom(String(id.value), id);
  const sources = into.nested({ value: "sources", span: head.span });
  sources.cover(at);
  const source = new MapBuilder(tools.file, (d) => tools.report(d));
  if (block === undefined) source.cover(id.span);
  else tools.blockInto(block, childContext({ kind: "sources" }, key.value), source);
  sources.add(key, source.build(id.span));
}

/** `get "https://…"` → `method: get`, `url: "https://…"`. */
function methodForm(tools: LowerTools, { head, args, block, into }: FormStatement): void {
  const token = args.length === 1 && args[0] !== undefined ? tools.tokenOf(args[0]) : undefined;
  if (token === undefined || block !== undefined || !NAME_TOKENS.has(token.tokenType.name)) {
    misuse(tools, head, args, `\`${head.value}\` takes the request URL: \`${head.value} "https://…"\``);
    return;
  }
  const method: ScalarNode = { kind: "scalar", value: head.value, span: head.span };
  into.add({ value: "method", span: head.span }, withVerbatim(method, head.verbatimStart));
  into.add({ value: "url", span: head.span }, tools.plainScalar(token));
}

/**
 * `auth bearer { … }` → `auth: { type: bearer, … }`; `positional` names the key an optional
 * second word goes to (`state sqlite "./helr-state.db"` → `path`).
 */
function taggedForm(tagKey: string, expected: string, positional?: (tag: string) => string): Form {
  return (tools, { head, args, block, ctx, into }) => {
    const tokens = args.map((arg) => tools.tokenOf(arg));
    const max = positional === undefined ? 1 : 2;
    const [tagToken, secondToken] = tokens;
    if (
      tagToken === undefined ||
      tokens.length > max ||
      tokens.some((t) => !NAME_TOKENS.has(t.tokenType.name))
    ) {
      misuse(tools, head, args, `\`${head.value}\` takes ${expected}`);
      return;
    }
    const map = new MapBuilder(tools.file, (d) => tools.report(d));
    const tag = tools.plainScalar(tagToken);
    map.cover(tag.span);
    map.add(keyFrom(tagKey, { span: tag.span }), tag);
    if (secondToken !== undefined && positional !== undefined) {
      const second = tools.plainScalar(secondToken);
      map.cover(second.span);
      map.add(keyFrom(positional(String(tag.value)), { span: second.span }), second);
    }
    if (block !== undefined) tools.blockInto(block, childContext(ctx, head.value), map);
    into.add(head, map.build(tag.span));
  };
}

/** `every 5m jitter 30s` → `schedule: { interval_secs: 300, jitter_secs: 30 }`. */
function everyForm(tools: LowerTools, { head, args, block, into }: FormStatement): void {
  const tokens = args.map((arg) => tools.tokenOf(arg));
  const [interval, jitterWord, jitter] = tokens;
  const shapeOk =
    block === undefined &&
    interval?.tokenType.name === "Duration" &&
    (tokens.length === 1 ||
      (tokens.length === 3 && jitterWord?.image === "jitter" && jitter?.tokenType.name === "Duration"));
  if (!shapeOk || interval === undefined) {
    misuse(tools, head, args, "`every` takes a duration and an optional jitter: `every 5m jitter 30s`");
    return;
  }
  const schedule = new MapBuilder(tools.file, (d) => tools.report(d));
  const duration = (token: IToken, key: string): ScalarNode => ({
    kind: "scalar",
    value: durationValue(token.image, key),
    span: tools.tokenSpan(token),
  });
  schedule.cover(tools.tokenSpan(interval));
  schedule.add({ value: "interval_secs", span: head.span }, duration(interval, "interval_secs"));
  if (jitter !== undefined && jitterWord !== undefined) {
    schedule.cover(tools.tokenSpan(jitter));
    schedule.add(
      { value: "jitter_secs", span: tools.tokenSpan(jitterWord) },
      duration(jitter, "jitter_secs"),
    );
  }
  into.add({ value: "schedule", span: head.span }, schedule.build(head.span));
}

function misuse(tools: LowerTools, head: KeyNode, args: readonly ScalarCstNode[], hint: string): void {
  const last = args.at(-1);
  const end = last === undefined ? head.span.end : tools.tokenSpan(tools.tokenOf(last)).end;
  tools.report(
    diagnostic("HLR1104", span(tools.file, head.span.start, end), `wrong words after \`${head.value}\``, {
      hint,
    }),
  );
}

function keyFrom(value: string, from: { span: Span; verbatimStart?: number }): KeyNode {
  return from.verbatimStart === undefined
    ? { value, span: from.span }
    : { value, span: from.span, verbatimStart: from.verbatimStart };
}

function withVerbatim(node: ScalarNode, start: number | undefined): ScalarNode {
  return start === undefined ? node : { ...node, verbatimStart: start };
}
