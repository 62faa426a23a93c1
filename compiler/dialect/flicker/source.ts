/**
 * One entry of Flicker's `api_sources` → one Helr source (the map under `sources.<name>`).
 * Keys keep their Flicker spans, so schema and semantic diagnostics point at the Flicker line.
 */
import { type AstNode, type MapEntry, type MapNode, stringAt } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { closestMatch, listValues } from "../../validate/suggest.ts";
import { type LoweredCredentials, lowerApiKey, lowerBasic } from "./auth.ts";
import { checkKeys, SOURCE_KEYS } from "./keys.ts";
import { entry, mapAt, renamed, scalarAt } from "./nodes.ts";
import { lowerPagination } from "./pagination.ts";

const TIME_FORMATS = ["rfc3339", "iso8601", "unix"] as const;
/** Flicker's examples all send RFC 3339 when no format is given. */
const DEFAULT_TIME_FORMAT = "rfc3339";

/** Helr's source map for one Flicker source (without its output settings). */
export function lowerSource(node: MapNode, where: string): { source: MapNode; diagnostics: Diagnostic[] } {
  const diagnostics = checkKeys(node, SOURCE_KEYS, where);
  const find = (key: string) => node.entries.find((e) => e.key.value === key);
  const out: MapEntry[] = [];
  const push = (...entries: (MapEntry | undefined)[]) => {
    for (const e of entries) if (e !== undefined) out.push(e);
  };
  const endpoint = find("endpoint");
  if (endpoint === undefined)
    diagnostics.push(
      diagnostic("HLR2003", node.span, `Flicker's ${where} needs \`endpoint\``, {
        hint: "add the API's URL as `endpoint:`",
      }),
    );
  push(endpoint && renamed(endpoint, "url"));
  push(schedule(find("polling_frequency_ms"), diagnostics));
  const credentials = [find("api_key"), find("basic")].flatMap((e) =>
    e === undefined ? [] : [credentialsOf(e)],
  );
  for (const c of credentials) diagnostics.push(...c.diagnostics);
  const auths = credentials.flatMap((c) => (c.auth === undefined ? [] : [c.auth]));
  if (auths.length > 1)
    diagnostics.push(
      diagnostic(
        "HLR2101",
        auths[1]?.key.span ?? node.span,
        "both `api_key` and `basic` read from variables: Helr sends one credential per source",
        {
          hint: "keep one of them, or write the other as a header under `headers:`",
        },
      ),
    );
  push(auths[0]);
  push(
    headers(
      find("headers"),
      credentials.flatMap((c) => c.headers),
    ),
  );
  const pagination = find("pagination");
  const pages = pagination === undefined ? undefined : lowerPagination(pagination);
  if (pages !== undefined) diagnostics.push(...pages.diagnostics);
  push(pages?.query, pages?.pagination);
  push(eventsPath(find("results_field")));
  const timestamp = find("timestamp_field");
  const message = find("message_field");
  const transform = [
    timestamp && renamed(timestamp, "timestamp_field"),
    message && renamed(message, "message_field"),
  ].filter((e): e is MapEntry => e !== undefined);
  const first = transform[0];
  if (first !== undefined) push(entry("transform", first.key.span, mapAt(transform, first.key.span)));
  push(watermark(find("time_filter_param"), find("time_filter_format"), timestamp, diagnostics));
  const include = find("match_on");
  const exclude = find("exclude_on");
  push(include && renamed(include, "include_regex"), exclude && renamed(exclude, "exclude_regex"));
  return { source: mapAt(out, node.span), diagnostics };
}

function credentialsOf(from: MapEntry): LoweredCredentials {
  return from.key.value === "api_key" ? lowerApiKey(from) : lowerBasic(from);
}

/** `polling_frequency_ms` → `schedule.interval_secs`; Helr schedules in whole seconds. */
function schedule(from: MapEntry | undefined, diagnostics: Diagnostic[]): MapEntry | undefined {
  if (from === undefined) return undefined;
  const ms = from.value.kind === "scalar" ? from.value.value : undefined;
  if (typeof ms !== "number" || !Number.isInteger(ms) || ms <= 0) {
    diagnostics.push(
      diagnostic(
        "HLR2002",
        from.value.span,
        "`polling_frequency_ms` must be a whole number of milliseconds above 0",
      ),
    );
    return undefined;
  }
  if (ms % 1000 !== 0) {
    const near = Math.max(1000, Math.round(ms / 1000) * 1000);
    diagnostics.push(
      diagnostic(
        "HLR2101",
        from.value.span,
        `Helr polls in whole seconds, and ${ms} ms is not a whole number of seconds`,
        {
          hint: `use a multiple of 1000, e.g. \`polling_frequency_ms: ${near}\``,
        },
      ),
    );
    return undefined;
  }
  const seconds = entry("interval_secs", from.key.span, scalarAt(ms / 1000, from.value.span));
  return entry("schedule", from.key.span, mapAt([seconds], from.value.span));
}

/** The source's `headers:` plus the ones its credentials are sent in. */
function headers(from: MapEntry | undefined, extra: readonly MapEntry[]): MapEntry | undefined {
  if (extra.length === 0) return from;
  const first = extra[0] as MapEntry;
  if (from === undefined) return entry("headers", first.key.span, mapAt(extra, first.key.span));
  // A non-map `headers:` is reported by the schema check; keep it as it is so it still is.
  if (from.value.kind !== "map") return from;
  return { key: from.key, value: mapAt([...from.value.entries, ...extra], from.value.span) };
}

/** `results_field` → `response_events_path`; `""` (array at the root) is Helr's default. */
function eventsPath(from: MapEntry | undefined): MapEntry | undefined {
  if (from === undefined || stringAt(from.value) === "") return undefined;
  return renamed(from, "response_events_path");
}

/** `time_filter_param` (+ `time_filter_format`) → `state:`, the watermark of the last event's time. */
function watermark(
  param: MapEntry | undefined,
  format: MapEntry | undefined,
  timestamp: MapEntry | undefined,
  diagnostics: Diagnostic[],
): MapEntry | undefined {
  if (param === undefined) {
    if (format !== undefined)
      diagnostics.push(
        diagnostic(
          "HLR3015",
          format.key.span,
          "`time_filter_format` has no effect without `time_filter_param`",
          {
            hint: "add `time_filter_param:` (the query parameter that carries the time), or remove this",
          },
        ),
      );
    return undefined;
  }
  if (timestamp === undefined) {
    diagnostics.push(
      diagnostic(
        "HLR3010",
        param.key.span,
        "`time_filter_param` needs `timestamp_field`: the last event's time is what is sent",
        {
          hint: "add `timestamp_field:` with the dotted path to each event's time",
        },
      ),
    );
    return undefined;
  }
  const how =
    format === undefined
      ? scalarAt(DEFAULT_TIME_FORMAT, param.key.span)
      : timeFormat(format.value, diagnostics);
  if (how === undefined) return undefined;
  const entries = [
    renamed(timestamp, "watermark_field"),
    renamed(param, "watermark_param"),
    entry("format", format?.key.span ?? param.key.span, how),
  ];
  return entry("state", param.key.span, mapAt(entries, param.key.span));
}

function timeFormat(node: AstNode, diagnostics: Diagnostic[]): AstNode | undefined {
  const value = stringAt(node);
  if (value !== undefined && (TIME_FORMATS as readonly string[]).includes(value)) return node;
  const match = value === undefined ? undefined : closestMatch(value, TIME_FORMATS);
  diagnostics.push(
    diagnostic(
      "HLR2004",
      node.span,
      `unknown time_filter_format ${JSON.stringify(node.kind === "scalar" ? node.value : null)}`,
      {
        hint:
          match !== undefined ? `did you mean \`${match}\`?` : `use one of ${listValues([...TIME_FORMATS])}`,
      },
    ),
  );
  return undefined;
}
