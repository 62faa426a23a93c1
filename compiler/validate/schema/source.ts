import { DEFAULTS } from "../../ir/defaults.ts";
import { integer, mapOf, object, oneOfValues, ref, type SchemaNode, text } from "./types.ts";

const bytes = (description: string) => integer(description, 1);

/** One entry under `sources:`. Every key of the reference config is accepted. */
export const SOURCE_SCHEMA: SchemaNode = object(
  {
    url: text("Request URL; `${VAR}` placeholders are resolved at run time."),
    method: oneOfValues(["get", "post"], "HTTP method.", DEFAULTS.method),
    body: { description: "JSON request body for POST." },
    source_label_key: text("Producer label key in each NDJSON line (default: global, then `source`)."),
    source_label_value: text("Producer label value (default: the source id)."),
    schedule: object({
      interval_secs: integer("Seconds between polls.", 1, undefined, DEFAULTS.intervalSecs),
      jitter_secs: integer("Random delay up to this many seconds added to each interval.", 0, undefined, 0),
    }),
    auth: ref("auth"),
    pagination: ref("pagination"),
    resilience: ref("resilience"),
    priority: integer("Load-shedding priority, 0 (lowest) to 10.", 0, 10, 10),
    headers: ref("headers"),
    query_params: mapOf(
      // Numbers beyond 2^53 would not print back as the digits the user wrote.
      { type: ["string", "number"], minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
      "Query parameters for the first request of a poll (string or number values).",
    ),
    max_bytes: bytes("Stop paginating once a poll has read this many response bytes."),
    dedupe: object(
      {
        id_path: text("Dotted path to the event id."),
        capacity: integer("Number of ids remembered (LRU).", 1, undefined, 100000),
      },
      { required: ["id_path"] },
    ),
    transform: object({
      timestamp_field: text("Dotted path to the event time."),
      id_field: text("Dotted path to the event id, copied to meta.id."),
    }),
    on_cursor_error: oneOfValues(["reset", "fail"], "What to do when a saved cursor is rejected."),
    from: text("Start of the range for the first request."),
    from_param: text("Query parameter name for `from`.", { default: "since" }),
    on_parse_error: oneOfValues(["skip", "fail"], "What to do when a response cannot be parsed.", "fail"),
    max_response_bytes: bytes("Fail when one response body exceeds this many bytes."),
    on_invalid_utf8: oneOfValues(["replace", "escape", "fail"], "What to do with a non-UTF-8 body."),
    max_line_bytes: bytes("Maximum size of one NDJSON line."),
    max_line_bytes_behavior: oneOfValues(["truncate", "skip", "fail"], "What to do with an oversized line."),
    checkpoint: oneOfValues(["end_of_tick", "per_page"], "When to write pagination state."),
    on_state_write_error: oneOfValues(["fail", "skip_checkpoint"], "What to do when state cannot be saved."),
    incremental_from: object(
      {
        state_key: text("State key for the stored timestamp."),
        event_timestamp_path: text("Dotted path to each event's timestamp."),
        param_name: text("Query parameter that carries the stored value."),
      },
      { required: ["state_key", "event_timestamp_path", "param_name"] },
    ),
    state: object(
      {
        watermark_field: text("Dotted path to each event's watermark value."),
        watermark_param: text("Query parameter that carries the stored watermark."),
        state_key: text("State key for the watermark.", { default: "watermark" }),
      },
      { required: ["watermark_field", "watermark_param"] },
    ),
    response_events_path: text("Dotted path to the events array."),
    response_event_object_path: text("Dotted path inside each element to the event."),
    response_streaming: oneOfValues(["buffered", "full"], "Streaming JSON parse mode."),
    hooks: object({
      script: text("Hook script file, relative to global.hooks.path."),
      script_inline: text("Hook script source."),
    }),
  },
  { required: ["url"], description: "One HTTP API to poll." },
);
