import { scanDocument } from "../extract/byte-scan.ts";
import {
  type EventList,
  type ExtractedEvent,
  type Extraction,
  extractEvents,
  ParseError,
} from "../extract/events.ts";
import { getPath } from "../extract/path.ts";
import { BodyEvent, type BytePlan, bytePlan, extractScanned } from "../extract/raw-events.ts";
import { sharedScanThread } from "../extract/scan-thread.ts";
import { DEFAULT_TIME_FIELDS, eventTime } from "../extract/timestamp.ts";
import type { HttpResponse } from "../http/client.ts";
import { envelopeLine } from "../output/envelope.ts";
import type { SourceSpec } from "../spec.ts";
import type { DedupeWindow } from "./dedupe.ts";
import { laterOf, markOf } from "./watermark.ts";

/** What one response turned into, once its lines were rendered. */
export interface PageResult {
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

/**
 * Output is handed on in blocks of about this many bytes, so a huge page never exists twice
 * in memory (once as the response, once as its NDJSON), and the engine turns the event loop
 * between blocks (the next response is read meanwhile and its scan starts on the scan thread).
 */
const BLOCK_BYTES = 256 * 1024;

const REQUEST_ID_HEADERS = ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"];

/** An API that reports errors in a 200 body (Slack's `{"ok": false, "error": …}`). */
export class ApiError extends Error {
  readonly code = "HELR_API_ERROR";
  constructor(readonly apiError: string) {
    super(`API error: ${apiError}`);
  }
}

/**
 * A response whose events were found and validated, rendered on demand by {@link blocks}: the
 * filters, dedupe and watermark run as the lines are rendered, so the tallies are complete once
 * the last block was taken.
 */
export class OpenPage implements PageResult {
  emitted = 0;
  filtered = 0;
  duplicates = 0;
  oversized = 0;
  readonly newIds: string[] = [];
  mark: string | undefined;
  readonly document: unknown;
  readonly extracted: number;
  readonly warnings: readonly string[];
  readonly #events: EventList;
  readonly #ctx: PageContext;
  readonly #endpoint: string;
  readonly #requestId: string | undefined;
  readonly #sizeHint: number;

  constructor(ctx: PageContext, extraction: Extraction, response?: HttpResponse) {
    this.#ctx = ctx;
    this.#events = extraction.events;
    this.document = extraction.document;
    this.extracted = extraction.events.length;
    this.warnings = extraction.warning ? [extraction.warning] : [];
    this.#endpoint = response ? new URL(response.url).pathname : "";
    this.#requestId = response
      ? REQUEST_ID_HEADERS.map((name) => response.headers.get(name)?.[0]).find((v) => v !== undefined)
      : undefined;
    this.#sizeHint = (response?.body.length ?? 0) + this.extracted * 256;
  }

  /**
   * The page's NDJSON in blocks of about `blockBytes` (whole lines each). Each block is a new
   * buffer the caller may keep.
   */
  *blocks(blockBytes = BLOCK_BYTES): Generator<Buffer, void, undefined> {
    const { spec, dedupe } = this.#ctx;
    const out = new LineBuffer(Math.min(blockBytes, this.#sizeHint) + 1024);
    const parts = lineParts(spec, this.#endpoint, this.#requestId);
    const watermark = spec.watermark?.eventPath;
    for (const event of this.#events) {
      if (watermark !== undefined) this.mark = laterOf(this.mark, markOf(getPath(event.value, watermark)));
      if (!this.#keep(event)) {
        this.filtered++;
        continue;
      }
      const id = eventId(event.value, spec);
      if (dedupe && id !== undefined && dedupe.has(id)) {
        this.duplicates++;
        continue;
      }
      if (!this.#render(event, id, parts, out)) {
        this.oversized++;
        continue;
      }
      this.emitted++;
      if (dedupe && id !== undefined && dedupe.add(id)) this.newIds.push(id);
      if (out.length >= blockBytes) yield out.take();
    }
    if (out.length > 0) yield out.take();
  }

  #keep(event: ExtractedEvent): boolean {
    const { include, exclude } = this.#ctx;
    if (include.length === 0 && exclude.length === 0) return true;
    const raw = event.raw;
    if (include.length > 0 && !include.some((re) => re.test(raw))) return false;
    return !exclude.some((re) => re.test(raw));
  }

  /**
   * Appends one line to `out`; false when it was dropped for max_line_bytes (skip). The line is
   * what {@link envelopeLine} gives, written part by part straight into the bytes: the event
   * copied from the response, the short strings around it without joining them first.
   */
  #render(event: ExtractedEvent, id: string | undefined, parts: LineParts, out: LineBuffer): boolean {
    const { spec, now } = this.#ctx;
    const value = event.value;
    const ts = eventTime(value, spec.transform.timestampField, now);
    const start = out.length;
    out.writeBytes(TS_MEMBER);
    out.writeJsonString(ts);
    out.writeBytes(parts.head);
    out.writeEvent(event);
    out.writeBytes(META_OPEN);
    const metaId = spec.transform.idField !== undefined ? getPath(value, spec.transform.idField) : id;
    let members = 0;
    if (typeof metaId === "string" || typeof metaId === "number") {
      out.writeBytes(ID_MEMBER);
      out.writeJsonString(String(metaId));
      members++;
    }
    const message =
      spec.transform.messageField !== undefined ? getPath(value, spec.transform.messageField) : undefined;
    if (typeof message === "string") {
      out.writeBytes(members++ > 0 ? NEXT_MESSAGE_MEMBER : MESSAGE_MEMBER);
      out.writeJsonString(message);
    }
    if (parts.requestId !== undefined)
      out.writeBytes(members > 0 ? parts.requestId.next : parts.requestId.first);
    out.writeBytes(LINE_END);
    const max = spec.limits.maxLineBytes;
    const bytes = out.length - start;
    if (max === undefined || bytes <= max) return true;
    out.truncate(start);
    if (spec.policy.maxLineBytesBehavior === "skip") return false;
    if (spec.policy.maxLineBytesBehavior === "fail") {
      throw new Error(`an event line of ${bytes} bytes exceeds max_line_bytes (${max})`);
    }
    const fields = {
      ts,
      labelKey: spec.labelKey,
      labelValue: spec.labelValue,
      endpoint: this.#endpoint,
      meta: metaOf(metaId, message, this.#requestId),
    };
    out.writeText(truncated(fields, event.raw, max));
    return true;
  }
}

const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "latin1"));
const TS_MEMBER = ascii('{"ts":');
const META_OPEN = ascii(',"meta":{');
const ID_MEMBER = ascii('"id":');
const MESSAGE_MEMBER = ascii('"message":');
const NEXT_MESSAGE_MEMBER = ascii(',"message":');
const LINE_END = ascii("}}\n");

/** The bytes every line of a page shares. */
interface LineParts {
  /** `,"<label key>":"<label value>","endpoint":"…","event":` */
  readonly head: Uint8Array;
  /** The meta member `"request_id":"…"`, alone and after another member. */
  readonly requestId: { readonly first: Uint8Array; readonly next: Uint8Array } | undefined;
}

function lineParts(spec: SourceSpec, endpoint: string, requestId: string | undefined): LineParts {
  const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));
  const head = `,${JSON.stringify(spec.labelKey)}:${JSON.stringify(spec.labelValue)},"endpoint":${JSON.stringify(endpoint)},"event":`;
  const member = requestId !== undefined ? `"request_id":${JSON.stringify(requestId)}` : undefined;
  return {
    head: utf8(head),
    requestId: member !== undefined ? { first: utf8(member), next: utf8(`,${member}`) } : undefined,
  };
}

/** The `meta` object of a line, members in the order {@link OpenPage} writes them. */
function metaOf(id: unknown, message: unknown, requestId: string | undefined): Record<string, string> {
  const meta: Record<string, string> = {};
  if (typeof id === "string" || typeof id === "number") meta.id = String(id);
  if (typeof message === "string") meta.message = message;
  if (requestId !== undefined) meta.request_id = requestId;
  return meta;
}

/**
 * Decodes and extracts one response; its lines are rendered by {@link OpenPage.blocks}.
 * Throws {@link ParseError} (before anything is rendered: a bad page writes nothing).
 * `text` forces the reference path (decode, `JSON.parse`, scan) that the byte path must match;
 * `scanned` is the byte path's result when it was computed already ({@link receivePage}).
 */
export function openPage(
  response: HttpResponse,
  ctx: PageContext,
  path: "bytes" | "text" = "bytes",
  scanned?: { readonly extraction: Extraction | undefined },
): OpenPage {
  const max = ctx.spec.limits.maxResponseBytes;
  if (max !== undefined && response.oversizeBytes !== undefined) {
    throw new ParseError(
      `response of more than ${max} bytes (${response.oversizeBytes} known) exceeds max_response_bytes (${max})`,
    );
  }
  const fast = scanned
    ? scanned.extraction
    : path === "bytes"
      ? fromBytes(response.body, ctx.spec)
      : undefined;
  const extraction = fast ?? extractEvents(decode(response.body, ctx.spec), ctx.spec.extract);
  rejectApiError(extraction.apiStatus !== undefined ? extraction.apiStatus : extraction.document);
  return new OpenPage(ctx, extraction, response);
}

/** Bodies of this many bytes and up to {@link THREAD_MAX_BYTES} go to the scan thread, when the process has one. */
const THREAD_MIN_BYTES = 64 * 1024;
/** Larger pages are scanned inline: the thread's heap is kept small, and one page has nothing to overlap with. */
const THREAD_MAX_BYTES = 16 * 1024 * 1024;

/** A response, and its byte path's result when the scan thread computed it. */
export interface ReceivedPage {
  readonly response: HttpResponse;
  readonly scanned?: { readonly extraction: Extraction | undefined };
}

/**
 * Scans a big response on the scan thread (extract/scan-thread.ts) as soon as it arrived, so
 * the scan runs while the engine finishes the page before. Only the scan moves: filters, dedupe
 * and the watermark still run in order, on this thread, when the page is opened. Resolves once
 * the scan is done; a failed thread rejects (the page is then fetched again by a later poll).
 */
export async function receivePage(response: HttpResponse, spec: SourceSpec): Promise<ReceivedPage> {
  const thread = sharedScanThread();
  const body = response.body;
  const size = body.length;
  if (
    thread === undefined ||
    size < THREAD_MIN_BYTES ||
    size > THREAD_MAX_BYTES ||
    response.oversizeBytes !== undefined
  )
    return { response };
  // The body moves to the thread: only a buffer that is the body's alone can go.
  const alone =
    body.buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.buffer.byteLength === size;
  if (!alone) return { response };
  const plan = bytePlanFor(body, spec);
  if (plan === undefined) return { response };
  const back = await thread.scan(body, plan.scan);
  const returned = { ...response, body: back.body };
  return { response: returned, scanned: { extraction: extractScanned(back.body, plan, back.scan) } };
}

/** A whole page at once: its tallies and all its lines as one string (tests, tools). */
export function processPage(
  response: HttpResponse,
  ctx: PageContext,
  path: "bytes" | "text" = "bytes",
): PageResult & { readonly lines: string } {
  const page = openPage(response, ctx, path);
  const lines = Buffer.concat([...page.blocks()]).toString("utf8");
  return { ...pageResult(page), lines };
}

/** The tallies of a page whose blocks were all taken. */
function pageResult(page: OpenPage): PageResult {
  const { document, extracted, emitted, filtered, duplicates, oversized, newIds, mark, warnings } = page;
  return { document, extracted, emitted, filtered, duplicates, oversized, newIds, mark, warnings };
}

/** A page that produced nothing (skipped after a parse error): no document, no events. */
export function emptyPage(ctx: PageContext): OpenPage {
  return new OpenPage(ctx, { document: undefined, events: [] });
}

/**
 * The byte path (no `JSON.parse` of the body) when the paginator never reads the document;
 * undefined when the text path must run (see {@link bytePlan}).
 */
function fromBytes(body: Buffer, spec: SourceSpec): Extraction | undefined {
  const plan = bytePlanFor(body, spec);
  return plan && extractScanned(body, plan, scanDocument(body, plan.scan));
}

/** What the byte path scans `body` for, or undefined when this source or body takes the text path. */
function bytePlanFor(body: Buffer, spec: SourceSpec): BytePlan | undefined {
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
  return bytePlan(body, spec.extract, fields);
}

const FIELDS = new WeakMap<SourceSpec, readonly string[]>();

/** Top-level members of an event that this file reads (every `getPath(event.value, …)` here). */
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

function eventId(value: unknown, spec: SourceSpec): string | undefined {
  const path = spec.dedupe?.idPath ?? spec.transform.idField;
  if (path === undefined) return undefined;
  const id = getPath(value, path);
  return typeof id === "string" && id !== "" ? id : typeof id === "number" ? String(id) : undefined;
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

/**
 * A growable byte buffer that lines are written into: text as UTF-8, event bytes copied
 * straight from the response. `take()` hands the bytes so far over and starts afresh.
 */
const EMPTY = Buffer.alloc(0);

class LineBuffer {
  #buf = EMPTY;
  #length = 0;
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get length(): number {
    return this.#length;
  }

  writeText(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.#reserve(text.length * 3);
    this.#length += this.#buf.write(text, this.#length);
  }

  /** Short bytes (a loop beats a native copy's call for a few dozen bytes). */
  writeBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.#reserve(n);
    const buf = this.#buf;
    const at = this.#length;
    if (n > 16) buf.set(bytes, at);
    else for (let i = 0; i < n; i++) buf[at + i] = bytes[i] as number;
    this.#length = at + n;
  }

  /** `JSON.stringify(text)`, encoded; printable ASCII (ids, times) is written as it is read. */
  writeJsonString(text: string): void {
    const n = text.length;
    this.#reserve(n + 2);
    const buf = this.#buf;
    let at = this.#length;
    buf[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.writeText(JSON.stringify(text));
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = 0x22;
    this.#length = at;
  }

  /** The event's JSON text on one line: copied from the response when it already is one. */
  writeEvent(event: ExtractedEvent): void {
    if (!(event instanceof BodyEvent && event.singleLine)) {
      this.writeText(event.raw);
      return;
    }
    const { body, start, end } = event;
    this.#reserve(end - start);
    this.#length += body.copy(this.#buf, this.#length, start, end);
  }

  truncate(length: number): void {
    this.#length = length;
  }

  take(): Buffer {
    const taken = this.#buf.subarray(0, this.#length);
    this.#buf = EMPTY;
    this.#length = 0;
    return taken;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buf.length) return;
    const size = Math.max(this.#capacity, this.#buf.length * 2, this.#length + bytes);
    const grown = Buffer.allocUnsafe(size);
    this.#buf.copy(grown, 0, 0, this.#length);
    this.#buf = grown;
  }
}
