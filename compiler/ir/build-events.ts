/**
 * What a source does with the events it reads: where they are, which to keep, how they are
 * labelled and deduplicated, what the watermark tracks, and the error policies.
 */
import type {
  DedupeSpec,
  ExtractSpec,
  FromSpec,
  LimitSpec,
  PolicySpec,
  ResponseErrorSpec,
  TransformSpec,
  WatermarkSpec,
} from "../../runtime/spec.ts";
import type { RawSource, RawWatermarkOptions } from "../config-shape/types.ts";
import { DEFAULTS } from "./defaults.ts";
import { literal, optional, unescapeDollars } from "./text.ts";

/** Events path and regex filters; regexes are kept verbatim (they are not templates). */
export function buildExtract(raw: RawSource): ExtractSpec {
  const eventsPath = literal(raw.response_events_path);
  return {
    ...optional("eventsPath", eventsPath),
    eventKeys: eventsPath === undefined ? [...DEFAULTS.eventKeys] : [],
    ...optional("eventObjectPath", literal(raw.response_event_object_path)),
    include: [...(raw.include_regex ?? [])],
    exclude: [...(raw.exclude_regex ?? [])],
  };
}

export function buildTransform(raw: RawSource["transform"]): TransformSpec {
  const timestampField = literal(raw?.timestamp_field);
  return {
    timeFields: timestampField !== undefined ? [timestampField] : [...DEFAULTS.timeFields],
    ...optional("idField", literal(raw?.id_field)),
    ...optional("messageField", literal(raw?.message_field)),
    requestIdHeaders: [...DEFAULTS.requestIdHeaders],
  };
}

/** The rules that make a 2xx response an error (the same for every source today). */
export function buildResponseErrors(): ResponseErrorSpec {
  return {
    okField: DEFAULTS.responseOkField,
    messageField: DEFAULTS.responseMessageField,
    errorFields: [...DEFAULTS.responseErrorFields],
  };
}

/** Dedupe by `dedupe.id_path`, else `transform.id_field`; without either there is nothing to key on. */
export function buildDedupe(raw: RawSource): DedupeSpec | undefined {
  if (raw.dedupe === undefined) return undefined;
  const idPath = raw.dedupe.id_path ?? raw.transform?.id_field;
  if (idPath === undefined) return undefined;
  return { idPath: unescapeDollars(idPath), capacity: raw.dedupe.capacity ?? DEFAULTS.dedupeCapacity };
}

/** `state:` wins over `incremental_from:`, as in the reference. */
export function buildWatermark(raw: RawSource): WatermarkSpec | undefined {
  const state = raw.state;
  if (state !== undefined) {
    return {
      stateKey: unescapeDollars(state.state_key ?? DEFAULTS.watermarkStateKey),
      eventPath: unescapeDollars(state.watermark_field),
      param: unescapeDollars(state.watermark_param),
      ...watermarkOptions(state),
    };
  }
  const incremental = raw.incremental_from;
  if (incremental === undefined) return undefined;
  return {
    stateKey: unescapeDollars(incremental.state_key),
    eventPath: unescapeDollars(incremental.event_timestamp_path),
    param: unescapeDollars(incremental.param_name),
    ...watermarkOptions(incremental),
  };
}

function watermarkOptions(
  raw: RawWatermarkOptions,
): Pick<WatermarkSpec, "location" | "format" | "overlapSecs"> {
  return {
    location: raw.location ?? DEFAULTS.watermarkLocation,
    format: raw.format ?? DEFAULTS.watermarkFormat,
    overlapSecs: raw.overlap_secs ?? DEFAULTS.watermarkOverlapSecs,
  };
}

/** `from` (a Template) with its parameter; `from_param` alone has nothing to send. */
export function buildFrom(raw: RawSource): FromSpec | undefined {
  if (raw.from === undefined) return undefined;
  return { param: unescapeDollars(raw.from_param ?? DEFAULTS.fromParam), value: raw.from };
}

export function buildPolicy(raw: RawSource): PolicySpec {
  return {
    checkpoint: raw.checkpoint ?? DEFAULTS.checkpoint,
    onCursorError: raw.on_cursor_error ?? DEFAULTS.onCursorError,
    onStateWriteError: raw.on_state_write_error ?? DEFAULTS.onStateWriteError,
    onParseError: raw.on_parse_error ?? DEFAULTS.onParseError,
    onInvalidUtf8: raw.on_invalid_utf8 ?? DEFAULTS.onInvalidUtf8,
    maxLineBytesBehavior: raw.max_line_bytes_behavior ?? DEFAULTS.maxLineBytesBehavior,
  };
}

export function buildLimits(raw: RawSource): LimitSpec {
  const maxResponseBytes = raw.max_response_bytes ?? DEFAULTS.maxResponseBytes;
  return {
    ...optional("maxBytes", raw.max_bytes),
    // 0 is "no limit", which the IR says by leaving the field out.
    ...optional("maxResponseBytes", maxResponseBytes === 0 ? undefined : maxResponseBytes),
    ...optional("maxLineBytes", raw.max_line_bytes),
  };
}
