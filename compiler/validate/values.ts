/**
 * Checks on the form of single values the schema sees only as strings: dotted paths, regular
 * expressions, and request bodies that must survive as JSON.
 */
import type { AstNode, ScalarNode } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { type Span, span } from "../source/span.ts";
import { nodeAt } from "./lookup.ts";
import type { ConfigUnit } from "./units.ts";

/** Keys whose value is a dotted path into a response or an event (`actor.id`). */
const DOTTED_PATHS: readonly (readonly string[])[] = [
  ["transform", "timestamp_field"],
  ["transform", "id_field"],
  ["transform", "message_field"],
  ["dedupe", "id_path"],
  ["response_events_path"],
  ["response_event_object_path"],
  ["pagination", "cursor_path"],
  ["pagination", "has_more_path"],
  ["incremental_from", "event_timestamp_path"],
  ["state", "watermark_field"],
];

/** Dotted paths, regex lists and the request body of one source. */
export function checkValues(unit: ConfigUnit): Diagnostic[] {
  if (unit.kind !== "source") return [];
  const out: Diagnostic[] = [];
  for (const keys of DOTTED_PATHS) {
    const node = nodeAt(unit.node, ...keys);
    if (node?.kind === "scalar" && typeof node.value === "string")
      out.push(...dottedPath(node, node.value, unit.file));
  }
  for (const key of ["include_regex", "exclude_regex"]) {
    const list = nodeAt(unit.node, key);
    if (list?.kind === "seq") out.push(...list.items.flatMap((item) => regex(item)));
  }
  const body = nodeAt(unit.node, "body");
  if (body !== undefined) out.push(...jsonNumbers(body));
  return out;
}

/**
 * A path is keys joined by `.`; a key may hold any character but `.`. Empty keys, JSONPath
 * (`$.a`) and index syntax (`a[0]`) are mistakes the runtime would silently never match.
 */
function dottedPath(node: ScalarNode, path: string, file: string): Diagnostic[] {
  const problem = pathProblem(path);
  if (problem === undefined) return [];
  const at = problem.offset === undefined ? node.span : inside(node, file, problem.offset, problem.length);
  return [
    diagnostic("HLR3013", at, `\`${path}\` is not a dotted path: ${problem.message}`, { hint: problem.hint }),
  ];
}

interface PathProblem {
  readonly message: string;
  readonly hint: string;
  readonly offset?: number;
  readonly length: number;
}

function pathProblem(path: string): PathProblem | undefined {
  const plain = "write the keys joined by dots, e.g. `actor.alternateId`";
  if (/^\$(\.|\[|$)/.test(path))
    return { message: "JSONPath is not supported", hint: plain, offset: 0, length: 2 };
  const index = /\[[0-9*]*\]/.exec(path);
  if (index !== undefined && index !== null) {
    return {
      message: "array indexes are not supported",
      hint: "a path names object keys only; the events array itself is found with `response_events_path`",
      offset: index.index,
      length: index[0].length,
    };
  }
  const empty = /^\.|\.\.|\.$/.exec(path);
  if (empty !== null)
    return { message: "it has an empty key", hint: plain, offset: empty.index, length: empty[0].length };
  return undefined;
}

/** Compiled exactly as the runtime compiles it: `new RegExp(pattern)`, no flags. */
function regex(item: AstNode): Diagnostic[] {
  if (item.kind !== "scalar" || typeof item.value !== "string") return [];
  try {
    new RegExp(item.value);
    return [];
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(
      /^Invalid regular expression: \/.*\/[a-z]*: /s,
      "",
    );
    return [
      diagnostic("HLR3012", item.span, `invalid regular expression: ${reason}`, {
        hint: "patterns use JavaScript syntax; escape `.`, `(`, `[` and `\\` with a backslash to match them literally",
      }),
    ];
  }
}

/** `.inf` and `.nan` are YAML numbers but not JSON: the body could not be sent. */
function jsonNumbers(node: AstNode): Diagnostic[] {
  if (node.kind === "seq") return node.items.flatMap(jsonNumbers);
  if (node.kind === "map") return node.entries.flatMap((entry) => jsonNumbers(entry.value));
  if (typeof node.value !== "number" || Number.isFinite(node.value)) return [];
  return [
    diagnostic("HLR3016", node.span, `\`${node.value}\` cannot be sent in a JSON body`, {
      hint: "JSON numbers are finite; quote the value to send it as a string",
    }),
  ];
}

/** A span inside a string when its text is verbatim in the file, else the whole value. */
function inside(node: ScalarNode, file: string, offset: number, length: number): Span {
  if (node.verbatimStart === undefined) return node.span;
  return span(file, node.verbatimStart + offset, node.verbatimStart + offset + length);
}
