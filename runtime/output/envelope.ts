/**
 * The NDJSON line, owned here alone: `ts`, the producer label, `endpoint`, `event`, `meta`, in
 * that order. {@link envelopeLine} is the reference rendering (text); {@link LineFormat} writes
 * the same bytes part by part into a {@link LineBuffer}, the event copied from the response, the
 * parts every line of a page shares encoded once. A property test holds the two to each other.
 */
import type { EventText, LineBuffer } from "./line-buffer.ts";

/** Fields of one NDJSON line, in output order. */
export interface Envelope {
  readonly ts: string;
  readonly labelKey: string;
  readonly labelValue: string;
  readonly endpoint: string;
  /** The event's JSON text exactly as received (one line). */
  readonly rawEvent: string;
  readonly meta: Readonly<Record<string, string>>;
}

/**
 * One NDJSON line, the event spliced in as received, so its key order and number formatting
 * are kept.
 */
export function envelopeLine(e: Envelope): string {
  return (
    `{"ts":${JSON.stringify(e.ts)},${JSON.stringify(e.labelKey)}:${JSON.stringify(e.labelValue)},` +
    `"endpoint":${JSON.stringify(e.endpoint)},"event":${e.rawEvent},"meta":${JSON.stringify(e.meta)}}\n`
  );
}

/** What the lines of one page share. */
export interface PageHeader {
  readonly labelKey: string;
  readonly labelValue: string;
  readonly endpoint: string;
  /** `meta.request_id`: the API's request id for the response, when it sent one. */
  readonly requestId: string | undefined;
}

/** One line's own parts. */
export interface LineParts {
  readonly ts: string;
  readonly event: EventText;
  /** `meta.id`. */
  readonly id: string | undefined;
  /** `meta.message`. */
  readonly message: string | undefined;
}

const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "latin1"));
const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "utf8"));
const TS_MEMBER = ascii('{"ts":');
const META_OPEN = ascii(',"meta":{');
const ID_MEMBER = ascii('"id":');
const MESSAGE_MEMBER = ascii('"message":');
const NEXT_MESSAGE_MEMBER = ascii(',"message":');
const LINE_END = ascii("}}\n");

/** Writes the lines of one page; what they share is encoded once. */
export class LineFormat {
  readonly #header: PageHeader;
  /** `,"<label key>":"<label value>","endpoint":"…","event":` */
  readonly #head: Uint8Array;
  /** The meta member `"request_id":"…"`, alone and after another member. */
  readonly #requestId: { readonly first: Uint8Array; readonly next: Uint8Array } | undefined;

  constructor(header: PageHeader) {
    this.#header = header;
    this.#head = utf8(
      `,${JSON.stringify(header.labelKey)}:${JSON.stringify(header.labelValue)},"endpoint":${JSON.stringify(header.endpoint)},"event":`,
    );
    const member =
      header.requestId !== undefined ? `"request_id":${JSON.stringify(header.requestId)}` : undefined;
    this.#requestId = member !== undefined ? { first: utf8(member), next: utf8(`,${member}`) } : undefined;
  }

  /** Appends the line {@link envelopeLine} gives for `line`; returns its length in bytes. */
  append(out: LineBuffer, line: LineParts): number {
    const start = out.length;
    out.writeBytes(TS_MEMBER);
    out.writeJsonString(line.ts);
    out.writeBytes(this.#head);
    out.writeEvent(line.event);
    out.writeBytes(META_OPEN);
    let members = 0;
    if (line.id !== undefined) {
      out.writeBytes(ID_MEMBER);
      out.writeJsonString(line.id);
      members++;
    }
    if (line.message !== undefined) {
      out.writeBytes(members++ > 0 ? NEXT_MESSAGE_MEMBER : MESSAGE_MEMBER);
      out.writeJsonString(line.message);
    }
    const requestId = this.#requestId;
    if (requestId !== undefined) out.writeBytes(members > 0 ? requestId.next : requestId.first);
    out.writeBytes(LINE_END);
    return out.length - start;
  }

  /**
   * A line that still parses and fits in `max` bytes: the event is replaced by
   * `{"_helr_truncated": true, "bytes": N, "prefix": "<start of the event text>"}`, with as much
   * of the text as fits (`max_line_bytes_behavior: truncate`).
   */
  truncated(line: LineParts, max: number): string {
    const raw = line.event.raw;
    const stub = (prefix: string) =>
      envelopeLine({
        ts: line.ts,
        labelKey: this.#header.labelKey,
        labelValue: this.#header.labelValue,
        endpoint: this.#header.endpoint,
        meta: this.#meta(line),
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

  /** The `meta` object, members in the order {@link append} writes them. */
  #meta(line: LineParts): Record<string, string> {
    const meta: Record<string, string> = {};
    if (line.id !== undefined) meta.id = line.id;
    if (line.message !== undefined) meta.message = line.message;
    if (this.#header.requestId !== undefined) meta.request_id = this.#header.requestId;
    return meta;
  }
}
