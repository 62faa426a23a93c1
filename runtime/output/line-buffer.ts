/**
 * A growable byte buffer that NDJSON lines are written into: text as UTF-8, event bytes copied
 * straight from the response. `take()` hands the bytes so far over and starts afresh.
 */
const EMPTY = Buffer.alloc(0);

/** An event's JSON text: a string, plus the response bytes it came from when they already are one line. */
export interface EventText {
  readonly raw: string;
  /** The response body the event was cut from (with `start`/`end`), when `singleLine`. */
  readonly body?: Buffer;
  readonly start?: number;
  readonly end?: number;
  /** The bytes `body[start, end)` hold no CR or LF: they can be copied as the event. */
  readonly singleLine?: boolean;
}

export class LineBuffer {
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
  writeEvent(event: EventText): void {
    const { body, start, end } = event;
    if (event.singleLine !== true || body === undefined || start === undefined || end === undefined) {
      this.writeText(event.raw);
      return;
    }
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
