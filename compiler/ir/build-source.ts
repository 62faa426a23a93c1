import type { AuthSpec, PaginationSpec, SecretRef, SourceSpec, TransformSpec } from "../../runtime/spec.ts";
import { DEFAULTS } from "./defaults.ts";
import type { RawBearerAuth, RawGlobal, RawLinkHeaderPagination, RawSource } from "./raw-config.ts";
import { mapValues, queryValue, unescapeDollars } from "./text.ts";

/** Where a source came from: its id and the file path as the user gave it. */
export interface SourceOrigin {
  readonly id: string;
  readonly file: string;
}

/**
 * Resolves one validated source into its {@link SourceSpec}. Template fields (url, header
 * and query values, token file) keep their `${VAR}` placeholders for the runtime.
 */
export function buildSource(raw: RawSource, origin: SourceOrigin, global: RawGlobal | undefined): SourceSpec {
  const auth = raw.auth === undefined ? undefined : buildAuth(raw.auth);
  return {
    id: origin.id,
    origin: origin.file,
    url: raw.url,
    method: raw.method ?? DEFAULTS.method,
    headers: mapValues(raw.headers, (value) => value),
    queryParams: mapValues(raw.query_params, queryValue),
    labelKey: unescapeDollars(raw.source_label_key ?? global?.source_label_key ?? DEFAULTS.labelKey),
    labelValue: unescapeDollars(raw.source_label_value ?? origin.id),
    schedule: {
      intervalSecs: raw.schedule?.interval_secs ?? DEFAULTS.intervalSecs,
      jitterSecs: raw.schedule?.jitter_secs ?? DEFAULTS.jitterSecs,
    },
    ...(auth !== undefined ? { auth } : {}),
    pagination: buildPagination(raw.pagination),
    transform: buildTransform(raw.transform),
    timeoutSecs: raw.resilience?.timeout_secs ?? DEFAULTS.timeoutSecs,
  };
}

function buildAuth(raw: RawBearerAuth): AuthSpec {
  const token: SecretRef = {
    ...(raw.token_env !== undefined ? { env: raw.token_env } : {}),
    ...(raw.token_file !== undefined ? { file: raw.token_file } : {}),
  };
  return { type: "bearer", token, prefix: unescapeDollars(raw.prefix ?? DEFAULTS.bearerPrefix) };
}

function buildPagination(raw: RawLinkHeaderPagination | undefined): PaginationSpec {
  if (raw === undefined) return { strategy: "single" };
  return {
    strategy: "link_header",
    rel: unescapeDollars(raw.rel ?? DEFAULTS.linkRel),
    maxPages: raw.max_pages ?? DEFAULTS.maxPages,
  };
}

function buildTransform(raw: RawSource["transform"]): TransformSpec {
  return {
    ...(raw?.timestamp_field !== undefined ? { timestampField: unescapeDollars(raw.timestamp_field) } : {}),
    ...(raw?.id_field !== undefined ? { idField: unescapeDollars(raw.id_field) } : {}),
  };
}
