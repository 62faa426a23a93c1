/**
 * The keys a Flicker config may have at each level, and the checks for the ones it may not:
 * an unknown key gets HLR2001 with a "did you mean" among Flicker's keys, a Flicker key that
 * has no counterpart in Helr gets HLR2101 naming what to use instead.
 */
import type { MapNode } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { closestMatch, listValues } from "../../validate/suggest.ts";

/** Top level: the list of sources, plus Helr's own `global:` block (kept as it is). */
export const TOP_KEYS = ["api_sources", "global"] as const;

/** One entry of `api_sources`. */
export const SOURCE_KEYS = [
  "name",
  "endpoint",
  "polling_frequency_ms",
  "headers",
  "basic",
  "api_key",
  "results_field",
  "timestamp_field",
  "message_field",
  "time_filter_param",
  "time_filter_format",
  "pagination",
  "buffer_size",
  "flush_interval_ms",
  "match_on",
  "exclude_on",
  "destination",
] as const;

export const PAGINATION_KEYS = [
  "pagination_type",
  "limit_param",
  "offset_param",
  "page_param",
  "cursor_param",
  "next_cursor_field",
  "page_size",
] as const;

export const BASIC_KEYS = ["username", "password"] as const;
export const DESTINATION_KEYS = ["type", "endpoint", "auth"] as const;
export const DESTINATION_AUTH_KEYS = ["type", "token", "username", "password"] as const;

const STATE_FIX =
  "Helr always keeps state: `global.state` picks the backend (`sqlite` by default, `memory`, `redis` or `postgres`; see docs/state.md)";

/** Flicker settings Helr has no key for, and what to do instead. */
export const NO_EQUIVALENT: Readonly<Record<string, { what: string; fix: string }>> = {
  track: { what: "`track` (Flicker's `--track`)", fix: `remove it; ${STATE_FIX}` },
  registry_file: {
    what: "`registry_file` (Flicker's `--registry-file`, local or S3)",
    fix: `remove it; ${STATE_FIX}. An S3 registry has no Helr backend: use \`redis\` or \`postgres\` for stateless containers`,
  },
  registry: {
    what: "`registry` (Flicker's registry settings)",
    fix: `remove it; ${STATE_FIX}`,
  },
};

/**
 * HLR2001 for every key of `map` not in `allowed`, HLR2101 for those Helr has no counterpart
 * for. `where` names the map in messages (`api_sources[0]`).
 */
export function checkKeys(map: MapNode, allowed: readonly string[], where: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { key } of map.entries) {
    if (allowed.includes(key.value)) continue;
    const none = NO_EQUIVALENT[key.value];
    if (none !== undefined) {
      out.push(diagnostic("HLR2101", key.span, `${none.what} has no equivalent in Helr`, { hint: none.fix }));
      continue;
    }
    const match = closestMatch(key.value, allowed);
    const hint =
      match !== undefined
        ? `did you mean \`${match}\`?`
        : `a Flicker ${where} takes ${listValues([...allowed])}`;
    out.push(diagnostic("HLR2001", key.span, `unknown key \`${key.value}\` in Flicker's ${where}`, { hint }));
  }
  return out;
}
