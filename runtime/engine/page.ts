import { type Extraction, extractEvents, ParseError } from "../extract/events.ts";
import { getPath } from "../extract/path.ts";
import { extractFromBytes } from "../extract/raw-events.ts";
import { DEFAULT_TIME_FIELDS, eventTime } from "../extract/timestamp.ts";
import type { HttpResponse } from "../http/client.ts";
import { envelopeLine } from "../output/envelope.ts";
import type { SourceSpec } from "../spec.ts";
import type { DedupeWindow } from "./dedupe.ts";
import { laterOf, markOf } from "./watermark.ts";

/** What one response turned into. */
export interface PageResult {
  /** NDJSON text for the events kept (empty when none). */
  readonly lines: string;
  readonly document: unknown;
  /** Events in the response, before filters and dedupe. */
  readonly extracted: number;
  readonly emitted: number;
  readonly filtered: number;
  readonly duplicates: number;
  readonly oversized: number;
  /** Ids first emitted by this page (to persist with its checkpoint). */
  readonly newIds: readonly string[];
  /** Highest watermark value among this page's events. */
  readonly mark: string | undefined;
  readonly warnings: readonly string[];
}

export interface PageContext {
  readonly spec: SourceSpec;
  readonly include: readonly RegExp[];
  readonly exclude: readonly RegExp[];
  readonly dedupe: DedupeWindow | undefined;
  readonly now: () => Date;
}

const REQUEST_ID_HEADERS = ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"];

/** An API that reports errors in a 200 body (Slack's `{"ok": false, "error": …}`). */
export class ApiError extends Error {
  readonly code = "HELR_API_ERROR";
  constructor(readonly apiError: string) {
    super(`API error: ${apiError}`);
  }
}

/**
 * Decodes, extracts, filters, dedupes and renders one response. Throws {@link ParseError}.
 * `text` forces the reference path (decode, `JSON.parse`, scan) that the byte path must match.
 */
export function processPage(
  response: HttpResponse,
  ctx: PageContext,
  path: "bytes" | "text" = "bytes",
): PageResult {
  const extraction =
    (path === "bytes" ? fromBytes(response.body, ctx.spec) : undefined) ??
    extractEvents(decode(response.body, ctx.spec), ctx.spec.extract);
  rejectApiError(extraction.apiStatus !== undefined ? extraction.apiStatus : extraction.document);
  const endpoint = new URL(response.url).pathname;
  const page = { endpoint, head: envelopeHead(ctx.spec, endpoint) };
  const requestId = REQUEST_ID_HEADERS.map((name) => response.headers.get(name)?.[0]).find(
    (v) => v !== undefined,
  );
  const out = { lines: "", emitted: 0, filtered: 0, duplicates: 0, oversized: 0, newIds: [] as string[] };
  let mark: string | undefined;
  for (const event of extraction.events) {
    if (ctx.spec.watermark) mark = laterOf(mark, markOf(getPath(event.value, ctx.spec.watermark.eventPath)));
    if (!keep(event.raw, ctx)) {
      out.filtered++;
      continue;
    }
    const id = eventId(event.value, ctx.spec);
    if (ctx.dedupe && id !== undefined && ctx.dedupe.has(id)) {
      out.duplicates++;
      continue;
    }
    const line = render(event, ctx, page, id, requestId);
    if (line === undefined) {
      out.oversized++;
      continue;
    }
    out.lines += line;
    out.emitted++;
    if (ctx.dedupe && id !== undefined && ctx.dedupe.add(id)) out.newIds.push(id);
  }
  const warnings = extraction.warning ? [extraction.warning] : [];
  return { ...out, document: extraction.document, extracted: extraction.events.length, mark, warnings };
}

/**
 * The byte path (no `JSON.parse` of the body) when the paginator never reads the document;
 * undefined when the text path must run (see {@link extractFromBytes}).
 */
function fromBytes(body: Buffer, spec: SourceSpec): Extraction | undefined {
  const max = spec.limits.maxResponseBytes;
  if (max !== undefined && body.length > max) return undefined;
  const pagination = spec.pagination;
  if (pagination.strategy === "cursor") return undefined;
  if ("stop" in pagination && pagination.stop.hasMorePath !== undefined) return undefined;
  let fields = FIELDS.get(spec);
  if (fields === undefined) {
    fields = eventFields(spec);
    FIELDS.set(spec, fields);
  }
  return extractFromBytes(body, spec.extract, fields);
}

const FIELDS = new WeakMap<SourceSpec, readonly string[]>();

/** Top-level members of an event that this file reads (every `getPath(event.value, …)` below). */
function eventFields(spec: SourceSpec): readonly string[] {
  const paths = [
    spec.watermark?.eventPath,
    spec.dedupe?.idPath,
    spec.transform.idField,
    spec.transform.messageField,
    ...(spec.transform.timestampField !== undefined ? [spec.transform.timestampField] : DEFAULT_TIME_FIELDS),
  ];
  return paths.flatMap((p) => (p === undefined ? [] : [p.split(".")[0] ?? ""]));
}

function decode(body: Buffer, spec: SourceSpec): string {
  const max = spec.limits.maxResponseBytes;
  if (max !== undefined && body.length > max) {
    throw new ParseError(`response of ${body.length} bytes exceeds max_response_bytes (${max})`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: spec.policy.onInvalidUtf8 === "fail" }).decode(body);
  } catch {
    throw new ParseError("response is not valid UTF-8 (on_invalid_utf8: fail)");
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function rejectApiError(document: unknown): void {
  if (document === null || typeof document !== "object" || Array.isArray(document)) return;
  const record = document as Record<string, unknown>;
  if (record.ok === false) throw new ApiError(typeof record.error === "string" ? record.error : "ok: false");
}

function keep(raw: string, ctx: PageContext): boolean {
  if (ctx.include.length > 0 && !ctx.include.some((re) => re.test(raw))) return false;
  return !ctx.exclude.some((re) => re.test(raw));
}

function eventId(value: unknown, spec: SourceSpec): string | undefined {
  const path = spec.dedupe?.idPath ?? spec.transform.idField;
  if (path === undefined) return undefined;
  const id = getPath(value, path);
  return typeof id === "string" && id !== "" ? id : typeof id === "number" ? String(id) : undefined;
}

/** The part of every line of a page between `ts` and the event, rendered once per page. */
function envelopeHead(spec: SourceSpec, endpoint: string): string {
  return `${JSON.stringify(spec.labelKey)}:${JSON.stringify(spec.labelValue)},"endpoint":${JSON.stringify(endpoint)},"event":`;
}

/**
 * One NDJSON line, byte for byte {@link envelopeLine} (a test holds them equal), with the
 * page-constant middle rendered once instead of once per event.
 */
function render(
  event: { value: unknown; raw: string },
  ctx: PageContext,
  page: { readonly endpoint: string; readonly head: string },
  id: string | undefined,
  requestId: string | undefined,
): string | undefined {
  const { spec } = ctx;
  const meta: Record<string, string> = {};
  const metaId =
    spec.transform.idField !== undefined ? getPath(event.value, spec.transform.idField) : undefined;
  if (typeof metaId === "string" || typeof metaId === "number") meta.id = String(metaId);
  else if (id !== undefined && spec.transform.idField === undefined) meta.id = id;
  if (spec.transform.messageField !== undefined) {
    const message = getPath(event.value, spec.transform.messageField);
    if (typeof message === "string") meta.message = message;
  }
  if (requestId !== undefined) meta.request_id = requestId;
  const ts = eventTime(event.value, spec.transform.timestampField, ctx.now);
  const line = `{"ts":${JSON.stringify(ts)},${page.head}${event.raw},"meta":${JSON.stringify(meta)}}\n`;
  const max = spec.limits.maxLineBytes;
  if (max === undefined || Buffer.byteLength(line) <= max) return line;
  const fields = { ts, labelKey: spec.labelKey, labelValue: spec.labelValue, endpoint: page.endpoint, meta };
  if (spec.policy.maxLineBytesBehavior === "skip") return undefined;
  if (spec.policy.maxLineBytesBehavior === "fail") {
    throw new Error(`an event line of ${Buffer.byteLength(line)} bytes exceeds max_line_bytes (${max})`);
  }
  return truncated(fields, event.raw, max);
}

/**
 * A line that still parses: the event is replaced by `{"_helr_truncated": true, "bytes": N,
 * "prefix": "<start of the event text>"}`, with as much of the text as fits.
 */
function truncated(
  fields: Omit<Parameters<typeof envelopeLine>[0], "rawEvent">,
  raw: string,
  max: number,
): string {
  const stub = (prefix: string) =>
    envelopeLine({
      ...fields,
      rawEvent: `{"_helr_truncated":true,"bytes":${Buffer.byteLength(raw)},"prefix":${JSON.stringify(prefix)}}`,
    });
  let low = 0;
  let high = raw.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(stub(raw.slice(0, mid))) <= max) low = mid;
    else high = mid - 1;
  }
  return stub(raw.slice(0, low));
}

/** A page that produced nothing (skipped after a parse error): no document, no events. */
export function emptyPage(): PageResult {
  return {
    lines: "",
    document: undefined,
    extracted: 0,
    emitted: 0,
    filtered: 0,
    duplicates: 0,
    oversized: 0,
    newIds: [],
    mark: undefined,
    warnings: [],
  };
}
