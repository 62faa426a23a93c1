/**
 * Header injection, caught at build time: every configured header name must be an HTTP token and
 * every configured header value must be text HTTP can carry (no CR, LF, NUL or other control
 * character, nothing above U+00FF). The rules are the runtime's own (runtime/http/header-check.ts),
 * which checks again what `${VAR}` placeholders and secrets expand to when the bundle runs.
 */

import { headerNameProblem, headerValueProblem } from "../../runtime/http/header-check.ts";
import type { AstNode, KeyNode } from "../ast/nodes.ts";
import { stringAt } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { entryPath, nodeAt } from "./lookup.ts";
import type { ConfigUnit } from "./units.ts";

/** Keys whose value is a header name: the api_key header, and the rate-limit headers read from responses. */
const NAME_KEYS: readonly (readonly string[])[] = [
  ["auth", "header"],
  ["resilience", "rate_limit", "headers", "limit_header"],
  ["resilience", "rate_limit", "headers", "remaining_header"],
  ["resilience", "rate_limit", "headers", "reset_header"],
];

/** Keys whose value is (the start of) a header value: `Authorization: <prefix> <token>`. */
const VALUE_KEYS: readonly (readonly string[])[] = [["auth", "prefix"]];

/** Maps of name → value sent as headers. */
const HEADER_MAPS: Readonly<Record<ConfigUnit["kind"], readonly (readonly string[])[]>> = {
  source: [["headers"]],
  global: [["output", "http", "headers"]],
};

const NAME_HINT =
  "a header name is letters, digits and `-` (a few symbols such as `_` and `.` too), e.g. `X-API-Key`";
const VALUE_HINT =
  "a header value is one line of printable Latin-1 text; remove the character (what a `${VAR}` expands to is checked when the bundle runs)";

/** Every header name and value one unit configures. */
export function checkHeaders(unit: ConfigUnit): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const keys of HEADER_MAPS[unit.kind]) {
    const map = nodeAt(unit.node, ...keys);
    if (map?.kind !== "map") continue;
    for (const entry of map.entries) {
      out.push(...badName(entry.key, entry.key.value));
      out.push(...badValue(entry.value, `the value of header \`${entry.key.value}\``));
    }
  }
  if (unit.kind !== "source") return out;
  for (const keys of NAME_KEYS) {
    const entry = entryPath(unit.node, ...keys);
    const name = stringAt(entry?.value);
    if (entry !== undefined && name !== undefined) out.push(...badName(entry.value, name));
  }
  for (const keys of VALUE_KEYS) {
    const node = nodeAt(unit.node, ...keys);
    if (node !== undefined) out.push(...badValue(node, `\`${keys.join(".")}\``));
  }
  return out;
}

function badName(at: AstNode | KeyNode, name: string): Diagnostic[] {
  const problem = headerNameProblem(name);
  if (problem === undefined) return [];
  return [
    diagnostic("HLR3017", at.span, `header name ${JSON.stringify(name)} ${problem}`, { hint: NAME_HINT }),
  ];
}

function badValue(node: AstNode, what: string): Diagnostic[] {
  const value = stringAt(node);
  const problem = value === undefined ? undefined : headerValueProblem(value);
  if (problem === undefined) return [];
  return [diagnostic("HLR3018", node.span, `${what} ${problem}`, { hint: VALUE_HINT })];
}
