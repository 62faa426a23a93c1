import type { ErrorObject } from "ajv";
import type { AstNode } from "../ast/nodes.ts";
import { dottedPath, type PointerTarget } from "../ast/pointer.ts";
import { PATTERN_PROBLEMS } from "../config-shape/common.ts";
import type { SchemaNode } from "../config-shape/schema-node.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { Span } from "../source/span.ts";
import { describeNode, describeTypes, looksNumeric, showValue } from "./describe.ts";
import { unknownKeyHint } from "./key-hints.ts";
import { closestMatch, listValues } from "./suggest.ts";

/** One ajv error, resolved against the AST it was reported for. */
export interface ErrorSite {
  readonly error: ErrorObject;
  /** Pointer segments of the value the error is about. */
  readonly path: readonly string[];
  readonly target: PointerTarget;
}

/** A mapped diagnostic plus what cascade filtering needs to know about it. */
export interface MappedError {
  readonly diagnostic: Diagnostic;
  readonly path: readonly string[];
  /** For unknown keys: the allowed key the hint proposes. */
  readonly suggestion?: string;
  /** For missing keys: the key that is missing. */
  readonly missing?: string;
}

/** The key a value sits under, for messages: `` `interval_secs` `` or `` `scopes[0]` ``. */
function label(path: readonly string[]): string {
  const last = path.at(-1);
  if (last === undefined) return "the file";
  if (/^[0-9]+$/.test(last)) return `\`${dottedPath(path.slice(-2))}\``;
  return `\`${last}\``;
}

function where(path: readonly string[]): string {
  return path.length === 0 ? "at the top level" : `in \`${dottedPath(path)}\``;
}

/** `additionalProperties`: point at the unknown key itself. */
export function unknownKey(site: ErrorSite, key: string, keySpan: Span): MappedError {
  const parent = site.error.parentSchema as SchemaNode;
  const { hint, suggestion } = unknownKeyHint(key, parent);
  const message = `unknown key \`${key}\` ${where(site.path)}`;
  return {
    diagnostic: diagnostic("HLR2001", keySpan, message, { hint }),
    path: site.path,
    ...(suggestion !== undefined ? { suggestion } : {}),
  };
}

/** `required`: point at the key of the map that lacks it (the map itself may be long). */
export function missingKey(site: ErrorSite, key: string, extraHint?: string): MappedError {
  const at = site.target.key?.span ?? site.target.node.span;
  const message = `missing required key \`${key}\` ${where(site.path)}`;
  return {
    diagnostic: diagnostic("HLR2003", at, message, { hint: extraHint }),
    path: site.path,
    missing: key,
  };
}

/** `type`: "expected a number, got a string", with a hint for the usual YAML slips. */
export function wrongType(site: ErrorSite, types: string | readonly string[]): MappedError {
  const node = site.target.node;
  const expected = [types].flat();
  const fraction = node.kind === "scalar" && typeof node.value === "number" && expected.includes("integer");
  const got = fraction ? String(node.kind === "scalar" ? node.value : "") : describeNode(node);
  const want = fraction ? "a whole number" : describeTypes(types);
  const message =
    site.path.length === 0
      ? `a config file must be a map with \`global:\` and \`sources:\`, got ${got}`
      : `expected ${want}, got ${got}`;
  return {
    diagnostic: diagnostic("HLR2002", node.span, message, { hint: typeHint(node, expected) }),
    path: site.path,
  };
}

function typeHint(node: AstNode, expected: readonly string[]): string | undefined {
  if (node.kind !== "scalar") return undefined;
  const value = node.value;
  const wantsNumber = expected.includes("number") || expected.includes("integer");
  if (value === null) return "give it a value, or remove the key";
  if (typeof value === "string" && wantsNumber && looksNumeric(value))
    return "remove the quotes to write a number";
  if (typeof value === "string" && expected.includes("boolean")) {
    if (value === "true" || value === "false") return "remove the quotes to write a boolean";
    if (/^(yes|no|on|off|y|n)$/i.test(value))
      return `YAML 1.2 reads \`${value}\` as a string; write \`true\` or \`false\``;
  }
  if (typeof value !== "string" && expected.includes("string"))
    return "put the value in quotes to make it a string";
  return undefined;
}

/** `enum` (and unknown tags of tagged unions): list the allowed values. */
export function badValue(site: ErrorSite, allowed: readonly (string | number)[], what?: string): MappedError {
  const node = site.target.node;
  const subject =
    what === undefined ? `value ${showValue(node)} for ${label(site.path)}` : `${what} ${showValue(node)}`;
  const message = `unknown ${subject}; expected one of ${listValues(allowed)}`;
  return {
    diagnostic: diagnostic("HLR2004", node.span, message, { hint: valueHint(node, allowed) }),
    path: site.path,
  };
}

function valueHint(node: AstNode, allowed: readonly (string | number)[]): string | undefined {
  if (node.kind !== "scalar" || node.value === null) return undefined;
  const text = String(node.value);
  if (typeof node.value === "number" && allowed.includes(text)) return `quote it: \`"${text}"\``;
  const match = closestMatch(text, allowed.map(String));
  if (match === undefined) return undefined;
  return match.toLowerCase() === text.toLowerCase()
    ? `values are lower case: \`${match}\``
    : `did you mean \`${match}\`?`;
}

/** minimum / maximum / exclusiveMinimum: "`max_pages` must be at least 1, got 0". */
export function outOfRange(site: ErrorSite, comparison: string, limit: number): MappedError {
  const node = site.target.node;
  const bound: Readonly<Record<string, string>> = {
    ">=": `at least ${limit}`,
    ">": `greater than ${limit}`,
    "<=": `at most ${limit}`,
    "<": `less than ${limit}`,
  };
  const got = node.kind === "scalar" ? String(node.value) : describeNode(node);
  const message = `${label(site.path)} must be ${bound[comparison] ?? `${comparison} ${limit}`}, got ${got}`;
  const acceptsText = [(site.error.parentSchema as SchemaNode).type].flat().includes("string");
  const hint = acceptsText ? "put the value in quotes to send it exactly as written" : undefined;
  return { diagnostic: diagnostic("HLR2005", node.span, message, { hint }), path: site.path };
}

/** minLength / maxLength / minItems on a value. */
export function badSize(site: ErrorSite, keyword: string, limit: number): MappedError {
  const node = site.target.node;
  const messages: Readonly<Record<string, string>> = {
    minLength: limit === 1 ? "must not be empty" : `must be at least ${limit} characters long`,
    maxLength: `must be at most ${limit} characters long`,
    minItems: `must have at least ${limit} item${limit === 1 ? "" : "s"}`,
  };
  const message = `${label(site.path)} ${messages[keyword] ?? `violates ${keyword} ${limit}`}`;
  return { diagnostic: diagnostic("HLR2005", node.span, message), path: site.path };
}

/** `pattern` on a value or (with `propertyName`) on a map key. */
export function badForm(
  site: ErrorSite,
  pattern: string,
  subject: { text: string; span: Span },
): MappedError {
  const known = PATTERN_PROBLEMS[pattern];
  const shown = `\`${subject.text.replace(/[\r\n]/g, " ")}\``;
  const message = known === undefined ? `${shown} must match \`${pattern}\`` : `${shown} ${known.problem}`;
  return { diagnostic: diagnostic("HLR2006", subject.span, message, { hint: known?.hint }), path: site.path };
}

/** A keyword without a dedicated message (none today): still one diagnostic at the right place. */
export function otherProblem(site: ErrorSite): MappedError {
  const message = `${label(site.path)} ${site.error.message ?? "is invalid"}`;
  return { diagnostic: diagnostic("HLR2006", site.target.node.span, message), path: site.path };
}
