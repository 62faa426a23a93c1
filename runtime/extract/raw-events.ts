import { isUtf8 } from "node:buffer";
import {
  type ArrayScan,
  type DocumentScan,
  decodeName,
  hasBackslash,
  type ScanPlan,
  scanDocument,
  skipWs,
} from "./byte-scan.ts";
import type { EventList, ExtractedEvent, Extraction, ExtractOptions } from "./events.ts";

/**
 * The fast path of event extraction: straight from the response bytes, without `JSON.parse` of
 * the body. One pass validates the body (what it rejects is exactly what `JSON.parse` rejects)
 * and finds the events and, in each, the top-level members named in `fields` (the ones the
 * engine reads: id, time, watermark…). Each event's text is cut from the bytes and its `value`
 * holds only those members, parsed one by one. A 1,000-event page then costs one byte pass and
 * a few small parses instead of a full object graph for the garbage collector.
 *
 * Returns undefined whenever the text path (`extractEvents`) must decide: a body that is
 * not valid UTF-8 or not JSON, starts with a BOM, has no events array, or uses
 * `eventObjectPath` or a nested `eventsPath`. The text path then reports exactly what it
 * always did.
 */
export function extractFromBytes(
  body: Buffer,
  options: ExtractOptions,
  fields: readonly string[],
): Extraction | undefined {
  const plan = bytePlan(body, options, fields);
  return plan && extractScanned(body, plan, scanDocument(body, plan.scan));
}

/** What the byte path scans a body for, decided from its first bytes and the options. */
export interface BytePlan {
  readonly scan: ScanPlan;
  readonly isArray: boolean;
  readonly keys: readonly string[];
  readonly topKeys: readonly string[];
  readonly fields: readonly string[];
}

/**
 * The scan {@link extractFromBytes} makes of `body`, or undefined when the text path must decide
 * (see there). Split from the scan itself so the scan can run elsewhere (scan-worker.ts).
 */
export function bytePlan(
  body: Buffer,
  options: ExtractOptions,
  fields: readonly string[],
): BytePlan | undefined {
  const path = options.eventsPath;
  if (options.eventObjectPath !== undefined || path?.includes(".") === true) return undefined;
  if (body[0] === 0xef || !isUtf8(body)) return undefined;
  const isArray = body[skipWs(body, 0)] === 0x5b;
  // An events path into a root array is an error, which the text path words.
  if (isArray && path !== undefined) return undefined;
  const keys = path !== undefined ? [path] : options.eventKeys;
  const topKeys = options.topKeys ?? [];
  return {
    scan: { arrayKeys: isArray ? [] : keys, topKeys, fields },
    isArray,
    keys,
    topKeys,
    fields,
  };
}

/** The extraction from a scan of `body` made by `plan` (undefined scan: not JSON). */
export function extractScanned(
  body: Buffer,
  plan: BytePlan,
  scan: DocumentScan | undefined,
): Extraction | undefined {
  if (scan === undefined) return undefined;
  const events = plan.isArray ? scan.arrays.get("") : chosen(scan, plan.keys);
  if (!events) return undefined;
  return {
    events: new BodyEvents(body, events, plan.fields),
    document: lazyDocument(body, plan.isArray),
    root: plan.isArray ? "array" : "object",
    found: true,
    top: plan.isArray ? {} : topMembers(body, scan, plan.topKeys),
  };
}

/** The first of `keys` whose last value is an array (as `locate` in the text path). */
function chosen(scan: DocumentScan, keys: readonly string[]): ArrayScan | undefined {
  for (const key of keys) {
    const found = scan.arrays.get(key);
    if (found) return found;
  }
  return undefined;
}

/** The root object's members the response rules read (`ok`, `error`, …), parsed. */
function topMembers(body: Buffer, scan: DocumentScan, keys: readonly string[]): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  for (const key of keys) {
    const range = scan.top.get(key);
    if (range !== undefined) setOwn(top, key, JSON.parse(body.toString("utf8", range[0], range[1])));
  }
  return top;
}

/**
 * An event found by the byte path. Its text stays in the response body, so the output can copy
 * the bytes without ever decoding them; `raw` decodes them only when something reads it
 * (filters, truncation).
 */
export class BodyEvent implements ExtractedEvent {
  constructor(
    readonly value: unknown,
    readonly body: Buffer,
    readonly start: number,
    readonly end: number,
    /** The bytes hold no CR or LF, so they already are one line. */
    readonly singleLine: boolean,
  ) {}

  get raw(): string {
    return oneLine(this.body.toString("utf8", this.start, this.end));
  }
}

/**
 * The events of a scanned body, each made (its value: the picked members, last one wins as in
 * `JSON.parse`) only when iteration reaches it. A page of 300,000 events then never holds
 * 300,000 event objects at once, only the scan's flat offset lists.
 */
class BodyEvents implements EventList {
  readonly length: number;
  readonly #body: Buffer;
  readonly #scan: ArrayScan;
  readonly #fields: readonly string[];

  constructor(body: Buffer, scan: ArrayScan, fields: readonly string[]) {
    this.#body = body;
    this.#scan = scan;
    this.#fields = fields;
    this.length = scan.elements.length / 2;
  }

  *[Symbol.iterator](): Iterator<ExtractedEvent> {
    const body = this.#body;
    const fields = this.#fields;
    const { elements, picks } = this.#scan;
    // Most bodies are compact: one look at the whole body spares a look at each event.
    const multiline = body.includes(0x0a) || body.includes(0x0d);
    let p = 0;
    for (let e = 0; e < this.length; e++) {
      const start = elements[e * 2] as number;
      const end = elements[e * 2 + 1] as number;
      const single = !multiline || !hasLineBreak(body, start, end);
      if (body[start] !== 0x7b) {
        yield new BodyEvent(JSON.parse(body.toString("utf8", start, end)), body, start, end, single);
        continue;
      }
      const value: Record<string, unknown> = {};
      for (; p < picks.length && picks[p] === e; p += 4) {
        const name = fields[picks[p + 1] as number] as string;
        setOwn(value, name, decode(body, picks[p + 2] as number, picks[p + 3] as number));
      }
      yield new BodyEvent(value, body, start, end, single);
    }
  }
}

function hasLineBreak(b: Buffer, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (b[k] === 0x0a || b[k] === 0x0d) return true;
  return false;
}

/** The value in [start, end): a string without escapes is cut out directly, anything else parsed. */
function decode(b: Buffer, start: number, end: number): unknown {
  if (b[start] === 0x22 && !hasBackslash(b, start, end)) return utf8Slice(b, start + 1, end - 1);
  return b[start] === 0x22 ? decodeName(b, start, end) : JSON.parse(b.toString("utf8", start, end));
}

/**
 * `b.toString("utf8", start, end)` without its argument checks (Node's own `utf8Slice`, which
 * `toString` ends in): called for each picked member of each event.
 */
const utf8Slice = (b: Buffer, start: number, end: number): string =>
  (b as Buffer & { utf8Slice(start: number, end: number): string }).utf8Slice(start, end);

/** Like `JSON.parse`: `__proto__` becomes an own property, not the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Raw CR/LF in valid JSON can only be whitespace between tokens, so dropping them is safe. */
function oneLine(raw: string): string {
  return raw.includes("\n") || raw.includes("\r") ? raw.replace(/[\r\n]+/g, "") : raw;
}

/**
 * The parsed document, parsed only if something reads it. Paginators that need the body
 * (cursor paths, `has_more`) get the text path and a real document; for the others (link
 * headers, offsets, windows) this stands in, so a page is never parsed just to be dropped.
 */
function lazyDocument(body: Buffer, isArray: boolean): unknown {
  let parsed: object | undefined;
  const real = (): object => {
    parsed ??= JSON.parse(body.toString("utf8")) as object;
    return parsed;
  };
  return new Proxy(isArray ? [] : {}, {
    get: (_target, key) => Reflect.get(real(), key),
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    set: () => false,
    deleteProperty: () => false,
    defineProperty: () => false,
  });
}
