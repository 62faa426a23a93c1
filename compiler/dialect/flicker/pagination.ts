/**
 * Flicker's `pagination:` → Helr's. `offset` and `page` map onto Helr's `offset` and
 * `page_offset` (pages from 1, as Flicker's examples count); `cursor` onto `cursor`, whose page
 * size Helr sends as a query parameter of the first request (cursor pages repeat it).
 */
import { type AstNode, entryAt, type MapEntry, type MapNode } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { closestMatch, listValues } from "../../validate/suggest.ts";
import { checkKeys, PAGINATION_KEYS } from "./keys.ts";
import { entry, mapAt, renamed, scalarAt } from "./nodes.ts";

const TYPES = { offset: "offset", page: "page_offset", cursor: "cursor" } as const;
type FlickerType = keyof typeof TYPES;

/** Keys each type reads beside `pagination_type` and `page_size`. */
const READS: Readonly<Record<FlickerType, readonly string[]>> = {
  offset: ["limit_param", "offset_param"],
  page: ["limit_param", "page_param"],
  cursor: ["limit_param", "cursor_param", "next_cursor_field"],
};

/** What `pagination:` becomes: Helr's `pagination:` entry and, for cursors, the page size query. */
export interface LoweredPagination {
  readonly pagination?: MapEntry;
  readonly query?: MapEntry;
  readonly diagnostics: Diagnostic[];
}

/** Flicker sends `limit` when `limit_param` is not given (its Okta example relies on it). */
const DEFAULT_LIMIT_PARAM = "limit";

export function lowerPagination(from: MapEntry): LoweredPagination {
  const node = from.value;
  if (node.kind !== "map")
    return { diagnostics: [diagnostic("HLR2002", node.span, "`pagination` must be a map of settings")] };
  const diagnostics = checkKeys(node, PAGINATION_KEYS, "`pagination`");
  const typeEntry = entryAt(node, "pagination_type");
  if (typeEntry === undefined) {
    diagnostics.push(
      diagnostic("HLR2003", from.key.span, "Flicker's `pagination` needs `pagination_type`", {
        hint: `set it to one of ${listValues(Object.keys(TYPES))}`,
      }),
    );
    return { diagnostics };
  }
  const type = flickerType(typeEntry.value, diagnostics);
  if (type === undefined) return { diagnostics };
  diagnostics.push(...unused(node, type));
  const missing = (key: string) =>
    diagnostics.push(
      diagnostic("HLR2003", from.key.span, `pagination_type \`${type}\` needs \`${key}\``, {
        hint: `add \`${key}:\` under \`pagination:\``,
      }),
    );
  const at = (key: string) => entryAt(node, key);
  const strategy = entry("strategy", typeEntry.key.span, scalarAt(TYPES[type], typeEntry.value.span));
  const limitParam =
    at("limit_param") ?? entry("limit_param", from.key.span, scalarAt(DEFAULT_LIMIT_PARAM, from.key.span));
  const pageSize = at("page_size");
  const required = (key: string, helrKey: string): MapEntry[] => {
    const found = at(key);
    if (found === undefined) missing(key);
    return found === undefined ? [] : [renamed(found, helrKey)];
  };
  if (type === "cursor") {
    const entries = [
      strategy,
      ...required("cursor_param", "cursor_param"),
      ...required("next_cursor_field", "cursor_path"),
    ];
    const query =
      pageSize &&
      entry(
        "query_params",
        pageSize.key.span,
        mapAt(
          [
            {
              key: { value: String(scalarText(limitParam.value)), span: limitParam.value.span },
              value: pageSize.value,
            },
          ],
          pageSize.key.span,
        ),
      );
    return {
      pagination: entry("pagination", from.key.span, mapAt(entries, node.span)),
      ...(query ? { query } : {}),
      diagnostics,
    };
  }
  const position =
    type === "offset" ? required("offset_param", "offset_param") : required("page_param", "page_param");
  const entries = [strategy, ...position, limitParam, ...(pageSize ? [renamed(pageSize, "limit")] : [])];
  return { pagination: entry("pagination", from.key.span, mapAt(entries, node.span)), diagnostics };
}

function flickerType(node: AstNode, diagnostics: Diagnostic[]): FlickerType | undefined {
  const value = node.kind === "scalar" ? node.value : undefined;
  if (typeof value === "string" && Object.hasOwn(TYPES, value)) return value as FlickerType;
  const match = typeof value === "string" ? closestMatch(value, Object.keys(TYPES)) : undefined;
  diagnostics.push(
    diagnostic("HLR2004", node.span, `unknown pagination_type ${JSON.stringify(value ?? null)}`, {
      hint:
        match !== undefined ? `did you mean \`${match}\`?` : `use one of ${listValues(Object.keys(TYPES))}`,
    }),
  );
  return undefined;
}

/** Keys of another pagination type: Flicker ignores them, so they compile, with a warning. */
function unused(node: MapNode, type: FlickerType): Diagnostic[] {
  const reads = new Set(["pagination_type", "page_size", ...READS[type]]);
  return node.entries
    .filter((e) => !reads.has(e.key.value) && (PAGINATION_KEYS as readonly string[]).includes(e.key.value))
    .map((e) =>
      diagnostic("HLR3015", e.key.span, `\`${e.key.value}\` has no effect with pagination_type \`${type}\``, {
        hint: "remove it",
      }),
    );
}

/** A scalar's text (a query parameter name written as a number is still a name). */
function scalarText(node: AstNode): string {
  return node.kind === "scalar" ? String(node.value) : "";
}
