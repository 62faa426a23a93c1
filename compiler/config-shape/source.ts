import * as Type from "typebox";
import { DEFAULTS } from "../ir/defaults.ts";
import { AUTH_SCHEMA } from "./auth.ts";
import { headers } from "./common.ts";
import { anyJson, integer, list, mapOf, object, oneOfValues, planned, ref, text } from "./kit.ts";
import { PAGINATION_SCHEMA } from "./pagination.ts";
import { RESILIENCE_SCHEMA } from "./resilience.ts";

const bytes = (description: string) => integer(description, 1);

/** Query parameter values: strings, or numbers that print back exactly. */
const queryValues = (description: string) =>
  mapOf(
    // Numbers beyond 2^53 would not print back as the digits the user wrote.
    Type.Unsafe<string | number>({
      type: ["string", "number"],
      minimum: -Number.MAX_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    }),
    description,
  );

/** A list of regular expressions (JavaScript syntax, no flags), matched against each event's JSON text. */
const regexList = (description: string) => list(Type.String({ minLength: 1 }), description);

/** How a watermark is sent: shared by `state:` and `incremental_from:`. */
export const WATERMARK_OPTIONS = {
  format: oneOfValues(
    ["raw", "rfc3339", "iso8601", "unix", "unix_ms"],
    "How the stored value is written into the request; `raw` sends it exactly as the event had it.",
    DEFAULTS.watermarkFormat,
  ),
  location: oneOfValues(
    ["query", "body"],
    "Send it as a query parameter, or as a top-level field of the POST body.",
    DEFAULTS.watermarkLocation,
  ),
  overlap_secs: integer(
    "Subtract this from a time watermark before sending (late events; pair with dedupe).",
    0,
    undefined,
    DEFAULTS.watermarkOverlapSecs,
  ),
};

/** One entry under `sources:`. Every key of the reference config is accepted. */
export const SOURCE_SCHEMA = object(
  {
    url: text("Request URL; `${VAR}` placeholders are resolved at run time."),
    method: oneOfValues(["get", "post"], "HTTP method.", DEFAULTS.method),
    body: anyJson("JSON request body for POST."),
    source_label_key: text("Producer label key in each NDJSON line (default: global, then `source`)."),
    source_label_value: text("Producer label value (default: the source id)."),
    schedule: object({
      interval_secs: integer("Seconds between polls.", 1, undefined, DEFAULTS.intervalSecs),
      jitter_secs: integer(
        "Random delay up to this many seconds added to each interval.",
        0,
        undefined,
        DEFAULTS.jitterSecs,
      ),
    }),
    auth: ref("auth", AUTH_SCHEMA),
    pagination: ref("pagination", PAGINATION_SCHEMA),
    resilience: ref("resilience", RESILIENCE_SCHEMA),
    priority: integer("Load-shedding priority, 0 (lowest) to 10.", 0, 10, DEFAULTS.priority),
    headers,
    query_params: queryValues("Query parameters for the first request of a poll (string or number values)."),
    every_query_params: queryValues("Query parameters sent on every request, followed pages included."),
    max_bytes: bytes("Stop paginating once a poll has read this many response bytes."),
    dedupe: object({
      id_path: text("Dotted path to the event id (default: `transform.id_field`)."),
      capacity: integer("Number of ids remembered (LRU).", 1, undefined, DEFAULTS.dedupeCapacity),
    }),
    transform: object({
      timestamp_field: text("Dotted path to the event time."),
      id_field: text("Dotted path to the event id, copied to meta.id."),
      message_field: text("Dotted path to a human-readable message, copied to meta.message."),
    }),
    include_regex: regexList("Keep only events whose JSON text matches one of these regular expressions."),
    exclude_regex: regexList("Drop events whose JSON text matches one of these regular expressions."),
    on_cursor_error: oneOfValues(
      ["reset", "fail"],
      "What to do when a saved cursor is rejected.",
      DEFAULTS.onCursorError,
    ),
    from: text("Start of the range for the first request."),
    from_param: text("Query parameter name for `from`.", { default: DEFAULTS.fromParam }),
    on_parse_error: oneOfValues(
      ["skip", "fail"],
      "What to do when a response cannot be parsed.",
      DEFAULTS.onParseError,
    ),
    max_response_bytes: integer(
      "A response body larger than this is not read: the client stops at the Content-Length or as soon as more bytes arrive, and the page is handled by `on_parse_error` (skip or fail). `0` = no limit.",
      0,
      undefined,
      DEFAULTS.maxResponseBytes,
    ),
    on_invalid_utf8: oneOfValues(
      ["replace", "escape", "fail"],
      "What to do with bytes of a body that are not UTF-8: `replace` them with U+FFFD, `escape` each as the text `\\\\xNN` (kept visible in its JSON string), or `fail` (a parse error).",
      DEFAULTS.onInvalidUtf8,
    ),
    max_line_bytes: bytes("Maximum size of one NDJSON line."),
    max_line_bytes_behavior: oneOfValues(
      ["truncate", "skip", "fail"],
      "What to do with an oversized line.",
      DEFAULTS.maxLineBytesBehavior,
    ),
    checkpoint: oneOfValues(
      ["end_of_tick", "per_page"],
      "When to write pagination state.",
      DEFAULTS.checkpoint,
    ),
    on_state_write_error: oneOfValues(
      ["fail", "skip_checkpoint"],
      "What to do when state cannot be saved.",
      DEFAULTS.onStateWriteError,
    ),
    incremental_from: object(
      {
        state_key: text("State key for the stored timestamp."),
        event_timestamp_path: text("Dotted path to each event's timestamp."),
        param_name: text("Request parameter that carries the stored value."),
        ...WATERMARK_OPTIONS,
      },
      { required: ["state_key", "event_timestamp_path", "param_name"] },
    ),
    state: object(
      {
        watermark_field: text("Dotted path to each event's watermark value."),
        watermark_param: text("Request parameter that carries the stored watermark."),
        state_key: text("State key for the watermark.", { default: DEFAULTS.watermarkStateKey }),
        ...WATERMARK_OPTIONS,
      },
      { required: ["watermark_field", "watermark_param"] },
    ),
    response_events_path: text("Dotted path to the events array."),
    response_event_object_path: text("Dotted path inside each element to the event."),
    response_streaming: planned(oneOfValues(["buffered", "full"], "Streaming JSON parse mode.")),
    hooks: object({
      script: text("Hook script file: under `global.hooks.path`, unless absolute or starting with `./`."),
      script_inline: text("Hook script source (JavaScript, verbatim: `${…}` is not a placeholder)."),
      env: list(
        Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }),
        "Exactly these environment variables reach `ctx.env` (default: the names the script reads literally).",
      ),
      allow_hosts: list(
        Type.String({ minLength: 1 }),
        "More hosts fetch() and hook-returned URLs may reach (`*.example.com` for subdomains); the source's own are always allowed.",
      ),
    }),
  },
  { required: ["url"], description: "One HTTP API to poll." },
);
