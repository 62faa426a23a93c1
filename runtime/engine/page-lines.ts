/**
 * Which of a page's events become lines, and their lines: the include/exclude filters, dedupe and
 * the page's high-water mark run here, in page order, as the lines are rendered (by output/'s
 * {@link LineFormat}) block by block. The tallies are complete once the last block was taken.
 */
import { createHash } from "node:crypto";
import { HelrError } from "../errors/helr-error.ts";
import type { ExtractedEvent, Extraction } from "../extract/events.ts";
import { getPath } from "../extract/path.ts";
import { eventTime } from "../extract/timestamp.ts";
import type { HttpResponse } from "../http/client.ts";
import { LineFormat, type LineParts } from "../output/envelope.ts";
import { LineBuffer } from "../output/line-buffer.ts";
import type { SourceSpec } from "../spec.ts";
import type { DedupeWindow } from "./dedupe.ts";
import { laterOf, markOf } from "./watermark.ts";

/** What a source's pages share: its spec, compiled filters and dedupe window, and the clock. */
export interface PageContext {
  readonly spec: SourceSpec;
  readonly include: readonly RegExp[];
  readonly exclude: readonly RegExp[];
  readonly dedupe: DedupeWindow | undefined;
  readonly now: () => Date;
}

/** What one written line held (for commitState). */
export interface WrittenEvent {
  readonly ts: string;
  readonly source: string;
  readonly event: unknown;
  readonly id?: string;
}

/** A page's counts once its lines were rendered. */
export interface PageTally {
  /** Events in the response, before filters and dedupe. */
  readonly extracted: number;
  readonly emitted: number;
  readonly filtered: number;
  readonly duplicates: number;
  /** Lines dropped for `max_line_bytes` (`skip`). */
  readonly oversized: number;
}

/**
 * Output is handed on in blocks of about this many bytes, so a huge page never exists twice in
 * memory (once as the response, once as its NDJSON), and the engine turns the event loop between
 * blocks (the next response is read meanwhile and its scan starts on the scan thread).
 */
const BLOCK_BYTES = 256 * 1024;

/** One rendered block: whole lines, and one key per line when asked (see output/sink.ts). */
export interface Block {
  readonly bytes: Buffer;
  readonly lines: number;
  readonly keys?: readonly string[];
}

/** `max_line_bytes_behavior: fail`. */
export class LineTooLongError extends HelrError {
  constructor(bytes: number, max: number) {
    super("HELR_LINE_TOO_LONG", `an event line of ${bytes} bytes exceeds max_line_bytes (${max})`);
  }
}

/** The lines of one page, rendered on demand by {@link blocks}. */
export class PageLines implements PageTally {
  emitted = 0;
  filtered = 0;
  duplicates = 0;
  oversized = 0;
  /** Ids first emitted by this page (to persist with its checkpoint). */
  readonly newIds: string[] = [];
  /** Highest watermark value among this page's events. */
  mark: string | undefined;
  /** The greatest `ts` among the lines written, as text (one comparison per line, parsed once). */
  #newest: string | undefined;
  readonly extracted: number;
  readonly #events: Extraction["events"];
  readonly #ctx: PageContext;
  readonly #format: LineFormat;
  /** Formats for labels a parseResponse hook chose (its events' `source`). */
  readonly #formats = new Map<string, LineFormat>();
  readonly #endpoint: string;
  readonly #requestId: string | undefined;
  readonly #sizeHint: number;

  /** With `collect`: what was written for each line (commitState's events), in order. */
  readonly written: WrittenEvent[] | undefined;

  constructor(
    ctx: PageContext,
    extraction: Pick<Extraction, "events">,
    response?: HttpResponse,
    options: { readonly collect?: boolean } = {},
  ) {
    this.#ctx = ctx;
    this.written = options.collect === true ? [] : undefined;
    this.#events = extraction.events;
    this.extracted = extraction.events.length;
    this.#endpoint = response ? new URL(response.url).pathname : "";
    this.#requestId = response ? requestIdOf(response, ctx.spec.transform.requestIdHeaders) : undefined;
    this.#format = this.#formatFor(ctx.spec.labelValue);
    this.#sizeHint = (response?.body.length ?? 0) + this.extracted * 256;
  }

  /**
   * The page's NDJSON in blocks of about `blockBytes` (whole lines each); each block is a new
   * buffer the caller may keep. With `keys`, each block carries one key per line.
   * @throws LineTooLongError (`max_line_bytes_behavior: fail`), before the block is handed out.
   */
  *blocks(options: { readonly keys?: boolean; readonly blockBytes?: number } = {}): Generator<Block> {
    const { spec, dedupe } = this.#ctx;
    const blockBytes = options.blockBytes ?? BLOCK_BYTES;
    const out = new LineBuffer(Math.min(blockBytes, this.#sizeHint) + 1024);
    let keys: string[] | undefined = options.keys ? [] : undefined;
    let lines = 0;
    const watermark = spec.watermark?.eventPath;
    for (const event of this.#events) {
      if (watermark !== undefined) this.mark = laterOf(this.mark, markOf(getPath(event.value, watermark)));
      if (!this.#keep(event)) {
        this.filtered++;
        continue;
      }
      const id = event.chosen !== undefined ? event.chosen.id : eventId(event.value, spec);
      if (dedupe && id !== undefined && dedupe.has(id)) {
        this.duplicates++;
        continue;
      }
      const ts = this.#render(event, id, out);
      if (ts === undefined) {
        this.oversized++;
        continue;
      }
      this.emitted++;
      this.written?.push({
        ts,
        source: event.chosen?.label ?? spec.labelValue,
        event: event.value,
        ...(id !== undefined ? { id } : {}),
      });
      lines++;
      keys?.push(lineKey(spec.id, id, event));
      if (dedupe && id !== undefined && dedupe.add(id)) this.newIds.push(id);
      if (out.length >= blockBytes) {
        yield { bytes: out.take(), lines, ...(keys ? { keys } : {}) };
        lines = 0;
        keys = keys ? [] : undefined;
      }
    }
    if (out.length > 0) yield { bytes: out.take(), lines, ...(keys ? { keys } : {}) };
  }

  #keep(event: ExtractedEvent): boolean {
    const { include, exclude } = this.#ctx;
    if (include.length === 0 && exclude.length === 0) return true;
    const raw = event.raw;
    if (include.length > 0 && !include.some((re) => re.test(raw))) return false;
    return !exclude.some((re) => re.test(raw));
  }

  /** Appends one line to `out`; its `ts`, or undefined when it was dropped for max_line_bytes (skip). */
  #render(event: ExtractedEvent, id: string | undefined, out: LineBuffer): string | undefined {
    const { spec, now } = this.#ctx;
    const value = event.value;
    const chosen = event.chosen;
    const ts = chosen?.ts ?? eventTime(value, spec.transform.timeFields, now);
    const metaId =
      chosen === undefined && spec.transform.idField !== undefined
        ? getPath(value, spec.transform.idField)
        : id;
    const message =
      spec.transform.messageField !== undefined ? getPath(value, spec.transform.messageField) : undefined;
    const line: LineParts = {
      ts,
      event,
      id: typeof metaId === "string" || typeof metaId === "number" ? String(metaId) : undefined,
      message: typeof message === "string" ? message : undefined,
    };
    const start = out.length;
    const format = chosen?.label !== undefined ? this.#formatFor(chosen.label) : this.#format;
    const bytes = format.append(out, line);
    this.#observeTime(ts);
    const max = spec.limits.maxLineBytes;
    if (max === undefined || bytes <= max) return ts;
    out.truncate(start);
    if (spec.policy.maxLineBytesBehavior === "skip") return undefined;
    if (spec.policy.maxLineBytesBehavior === "fail") throw new LineTooLongError(bytes, max);
    out.writeText(format.truncated(line, max));
    return ts;
  }

  #formatFor(labelValue: string): LineFormat {
    let format = this.#formats.get(labelValue);
    if (format === undefined) {
      format = new LineFormat({
        labelKey: this.#ctx.spec.labelKey,
        labelValue,
        endpoint: this.#endpoint,
        requestId: this.#requestId,
      });
      this.#formats.set(labelValue, format);
    }
    return format;
  }

  /** Newest `ts` among the lines written (epoch ms), for ingest lag; RFC 3339 texts of one API compare as text. */
  get newestMs(): number | undefined {
    if (this.#newest === undefined) return undefined;
    const ms = Date.parse(this.#newest);
    return Number.isNaN(ms) ? undefined : ms;
  }

  #observeTime(ts: string): void {
    if (this.#newest === undefined || ts > this.#newest) this.#newest = ts;
  }
}

/** A page that produced nothing. */
export function emptyPage(ctx: PageContext): PageLines {
  return new PageLines(ctx, { events: [] });
}

/** The first of `headers` the response carries. */
function requestIdOf(response: HttpResponse, headers: readonly string[]): string | undefined {
  for (const name of headers) {
    const value = response.headers.get(name)?.[0];
    if (value !== undefined) return value;
  }
  return undefined;
}

function eventId(value: unknown, spec: SourceSpec): string | undefined {
  const path = spec.dedupe?.idPath ?? spec.transform.idField;
  if (path === undefined) return undefined;
  const id = getPath(value, path);
  return typeof id === "string" && id !== "" ? id : typeof id === "number" ? String(id) : undefined;
}

/** `<source>:<id>`, else `<source>:sha256:<hex of the event text>`: the same event gets the same key. */
function lineKey(sourceId: string, id: string | undefined, event: ExtractedEvent): string {
  if (id !== undefined) return `${sourceId}:${id}`;
  const hash = createHash("sha256");
  const { body, start, end } = event;
  if (event.singleLine === true && body !== undefined && start !== undefined && end !== undefined)
    hash.update(body.subarray(start, end));
  else hash.update(event.raw);
  return `${sourceId}:sha256:${hash.digest("hex")}`;
}
