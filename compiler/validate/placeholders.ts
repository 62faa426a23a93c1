import type { AstNode, KeyNode, ScalarNode } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { type Span, span } from "../source/span.ts";
import { scanTemplate } from "./template.ts";
import type { ConfigUnit } from "./units.ts";

/**
 * Fields the IR carries as plain strings: the runtime never expands them, so a placeholder
 * there would reach the wire verbatim. Paths are relative to the unit; `*` stands for a list
 * index. Everything else that is a string is a Template (url, headers, query values, body,
 * `*_file`, token_url, from, hooks.script, state.path/url) or has a pattern that excludes `$`.
 */
const LITERAL_FIELDS: Readonly<Record<ConfigUnit["kind"], ReadonlySet<string>>> = {
  source: new Set([
    "source_label_key",
    "source_label_value",
    "auth/prefix",
    "auth/header",
    "auth/param",
    "auth/key_id",
    "auth/scopes/*",
    "pagination/rel",
    "pagination/cursor_param",
    "pagination/cursor_path",
    "pagination/page_param",
    "pagination/offset_param",
    "pagination/limit_param",
    "pagination/has_more_path",
    "pagination/start_param",
    "pagination/end_param",
    "transform/timestamp_field",
    "transform/id_field",
    "transform/message_field",
    "dedupe/id_path",
    "response_events_path",
    "response_event_object_path",
    "from_param",
    "state/watermark_field",
    "state/watermark_param",
    "state/state_key",
    "incremental_from/state_key",
    "incremental_from/event_timestamp_path",
    "incremental_from/param_name",
    "resilience/rate_limit/headers/limit_header",
    "resilience/rate_limit/headers/remaining_header",
    "resilience/rate_limit/headers/reset_header",
    "resilience/rate_limit/budget_key",
  ]),
  global: new Set(["source_label_key", "source_label_value"]),
};

/** Maps whose keys are sent on the wire, so a placeholder in a key is also a mistake. */
const NAMED_MAPS: Readonly<Record<string, string>> = {
  headers: "header names",
  query_params: "query parameter names",
  every_query_params: "query parameter names",
};

/**
 * Not templates at all: `${x}` in JavaScript is a template literal, and `$` in a regular
 * expression is an anchor. Kept verbatim, never scanned.
 */
const CODE_FIELDS = new Set(["hooks/script_inline", "include_regex", "exclude_regex"]);

/** Checks every string in a unit: placeholder syntax, bare `$NAME`, placeholders where unsupported. */
export function checkPlaceholders(unit: ConfigUnit): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(unit.node, [], unit, out);
  return out;
}

function walk(node: AstNode, path: readonly string[], unit: ConfigUnit, out: Diagnostic[]): void {
  const joined = path.join("/");
  if (CODE_FIELDS.has(joined)) return;
  if (node.kind === "scalar") {
    if (typeof node.value === "string") checkString(node, node.value, joined, unit, out);
    return;
  }
  if (node.kind === "seq") {
    for (const [index, item] of node.items.entries()) walk(item, [...path, String(index)], unit, out);
    return;
  }
  const keyWhat = path.length === 1 && unit.kind === "source" ? NAMED_MAPS[joined] : undefined;
  for (const entry of node.entries) {
    if (keyWhat !== undefined) checkKey(entry.key, keyWhat, unit, out);
    walk(entry.value, [...path, entry.key.value], unit, out);
  }
}

function checkString(
  node: ScalarNode,
  text: string,
  path: string,
  unit: ConfigUnit,
  out: Diagnostic[],
): void {
  const scan = scanTemplate(text);
  for (const problem of scan.problems) {
    const at = subSpan(unit.file, node, problem.offset, problem.length);
    out.push(
      diagnostic(problem.kind === "bare" ? "HLR3007" : "HLR3005", at, problem.message, {
        hint: problem.hint,
      }),
    );
  }
  const first = scan.placeholders[0];
  if (first !== undefined && LITERAL_FIELDS[unit.kind].has(path.replace(/\/[0-9]+$/, "/*"))) {
    const field = path.split("/").at(-1) ?? path;
    const at = subSpan(unit.file, node, first.offset, first.length);
    out.push(
      diagnostic("HLR3006", at, `placeholders are not expanded in \`${field}\``, {
        hint: "write the value itself; placeholders work in url, headers, query parameters, body, from, token_url, `*_file` paths and state.path/url",
      }),
    );
  }
}

function checkKey(key: KeyNode, what: string, unit: ConfigUnit, out: Diagnostic[]): void {
  const scan = scanTemplate(key.value);
  const first = scan.placeholders[0] ?? scan.problems.find((p) => p.kind === "malformed");
  if (first === undefined) return;
  const at = subSpan(unit.file, key, first.offset, first.length);
  out.push(
    diagnostic("HLR3006", at, `placeholders are not expanded in ${what}`, { hint: "write the name itself" }),
  );
}

/** Points inside the string when its text is verbatim in the file, else at the whole value. */
function subSpan(
  file: string,
  node: { span: Span; verbatimStart?: number },
  offset: number,
  length: number,
): Span {
  if (node.verbatimStart === undefined) return node.span;
  const start = node.verbatimStart + offset;
  return span(file, start, start + length);
}
