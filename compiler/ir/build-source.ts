import type { HooksSpec, JsonValue, SourceSpec } from "../../runtime/spec.ts";
import type { RawGlobal, RawSource } from "../config-shape/types.ts";
import { hookScriptPath } from "../hooks/script-path.ts";
import { buildAuth } from "./build-auth.ts";
import {
  buildDedupe,
  buildExtract,
  buildFrom,
  buildLimits,
  buildPolicy,
  buildResponseErrors,
  buildTransform,
  buildWatermark,
} from "./build-events.ts";
import { buildPagination } from "./build-pagination.ts";
import { buildResilience } from "./build-resilience.ts";
import { DEFAULTS } from "./defaults.ts";
import { bodyTemplate, mapValues, optional, queryValue, unescapeDollars } from "./text.ts";

/** Where a source came from: its id and the file path as the user gave it. */
export interface SourceOrigin {
  readonly id: string;
  readonly file: string;
}

/**
 * Resolves one validated source into its {@link SourceSpec}. Template fields (url, header,
 * query and body values, `*_file` paths, token_url, from, hook script) keep their `${VAR}`
 * placeholders for the runtime; every other string, header and parameter names and body keys
 * included, has `$$` turned into `$`.
 */
export function buildSource(raw: RawSource, origin: SourceOrigin, global: RawGlobal | undefined): SourceSpec {
  return {
    id: origin.id,
    origin: origin.file,
    url: raw.url,
    method: raw.method ?? DEFAULTS.method,
    ...optional("body", raw.body === undefined ? undefined : bodyTemplate(raw.body as JsonValue)),
    headers: mapValues(raw.headers, (value) => value),
    queryParams: mapValues(raw.query_params, queryValue),
    everyQueryParams: mapValues(raw.every_query_params, queryValue),
    labelKey: unescapeDollars(raw.source_label_key ?? global?.source_label_key ?? DEFAULTS.labelKey),
    labelValue: unescapeDollars(raw.source_label_value ?? origin.id),
    schedule: {
      intervalSecs: raw.schedule?.interval_secs ?? DEFAULTS.intervalSecs,
      jitterSecs: raw.schedule?.jitter_secs ?? DEFAULTS.jitterSecs,
    },
    priority: raw.priority ?? DEFAULTS.priority,
    ...optional("auth", raw.auth === undefined ? undefined : buildAuth(raw.auth)),
    pagination: buildPagination(raw.pagination),
    ...optional("from", buildFrom(raw)),
    ...optional("watermark", buildWatermark(raw)),
    extract: buildExtract(raw),
    transform: buildTransform(raw.transform),
    responseErrors: buildResponseErrors(),
    ...optional("dedupe", buildDedupe(raw)),
    policy: buildPolicy(raw),
    limits: buildLimits(raw),
    resilience: buildResilience(raw.resilience, global),
    ...optional("hooks", buildHooks(raw.hooks, global)),
  };
}

function buildHooks(raw: RawSource["hooks"], global: RawGlobal | undefined): HooksSpec | undefined {
  if (raw === undefined) return undefined;
  // Validation guarantees exactly one of script and script_inline.
  const file = raw.script !== undefined ? hookScriptPath(raw.script, global?.hooks?.path) : undefined;
  return {
    ...optional("file", file),
    ...optional("inline", raw.script_inline),
    ...optional("env", raw.env),
    allowHosts: raw.allow_hosts ?? [],
  };
}
