/**
 * One pass over a JSON body's UTF-8 bytes that validates it strictly (it accepts exactly what
 * `JSON.parse` accepts, for input that is valid UTF-8) and, on the way, records where the events
 * array's elements start and end and where the wanted members of each element are. No values
 * are built. Structural characters are ASCII and never occur inside a multi-byte UTF-8
 * sequence, so byte offsets work throughout.
 */

import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./json-chars.ts";

const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** What to record while scanning. */
export interface ScanPlan {
  /**
   * Names of the root object's members that may hold the events array (the last occurrence of
   * each is recorded); empty: the events array is the root array.
   */
  readonly arrayKeys: readonly string[];
  /** Other root-object members whose value range to record (last occurrence). */
  readonly topKeys: readonly string[];
  /** Top-level member names of each event whose value ranges to record. */
  readonly fields: readonly string[];
}

/** One array's elements and picked members, as flat offset lists. */
export interface ArrayScan {
  /** `start, end` of each element. */
  readonly elements: ArrayLike<number>;
  /** `element index, field index, value start, value end` of each picked member, in text order. */
  readonly picks: ArrayLike<number>;
}

export interface DocumentScan {
  /** `""` for the root array; else each of `arrayKeys` seen: its array, or null when its last value is not one. */
  readonly arrays: ReadonlyMap<string, ArrayScan | null>;
  /** `start, end` of the last value of each of `topKeys` seen. */
  readonly top: ReadonlyMap<string, readonly [number, number]>;
}

/** Scans `b`; undefined when it is not one JSON text. */
export function scanDocument(b: Uint8Array, plan: ScanPlan): DocumentScan | undefined {
  const scanner = new Scanner(b, plan);
  const end = scanner.root(skipWs(b, 0));
  if (end < 0 || skipWs(b, end) !== b.length) return undefined;
  return { arrays: scanner.arrays, top: scanner.top };
}

/**
 * Walks only what matters member by member — the root, the events array, each event's
 * top-level members — and hands every other value to the hook-free {@link validValue}.
 * Each method returns the offset past what it scanned, or -1 when the text is not JSON.
 */
class Scanner {
  readonly arrays = new Map<string, ArrayScan | null>();
  readonly top = new Map<string, readonly [number, number]>();
  readonly #b: Uint8Array;
  readonly #plan: ScanPlan;
  readonly #fields: readonly Uint8Array[];

  constructor(b: Uint8Array, plan: ScanPlan) {
    this.#b = b;
    this.#plan = plan;
    const encoder = new TextEncoder();
    this.#fields = plan.fields.map((name) => new Uint8Array(encoder.encode(name)));
  }

  root(i: number): number {
    const c = this.#b[i];
    if (c === OPEN_BRACKET && this.#plan.arrayKeys.length === 0) return this.#events(i, "");
    if (c === OPEN_BRACE) return this.#rootObject(i);
    return validValue(this.#b, i);
  }

  /** The root object: records the plan's keys (last occurrence wins, as in `JSON.parse`). */
  #rootObject(i: number): number {
    const b = this.#b;
    const { arrayKeys, topKeys } = this.#plan;
    let j = skipWs(b, i + 1);
    if (b[j] === CLOSE_BRACE) return j + 1;
    for (;;) {
      const nameEnd = b[j] === QUOTE ? validString(b, j) : -1;
      if (nameEnd < 0) return -1;
      const colon = skipWs(b, nameEnd);
      if (b[colon] !== COLON) return -1;
      const name = decodeName(b, j, nameEnd);
      const start = skipWs(b, colon + 1);
      const events = arrayKeys.includes(name);
      const end = events && b[start] === OPEN_BRACKET ? this.#events(start, name) : validValue(b, start);
      if (end < 0) return -1;
      if (events && b[start] !== OPEN_BRACKET) this.arrays.set(name, null);
      if (topKeys.includes(name)) this.top.set(name, [start, end]);
      j = skipWs(b, end);
      if (b[j] === CLOSE_BRACE) return j + 1;
      if (b[j] !== COMMA) return -1;
      j = skipWs(b, j + 1);
    }
  }

  /** An events array: every element's range, and the wanted members of each object element. */
  #events(i: number, key: string): number {
    const b = this.#b;
    const scan = { elements: [] as number[], picks: [] as number[] };
    this.arrays.set(key, scan);
    let j = skipWs(b, i + 1);
    if (b[j] === CLOSE_BRACKET) return j + 1;
    const walk = this.#fields.length > 0;
    for (let index = 0; ; index++) {
      const end = walk && b[j] === OPEN_BRACE ? this.#event(j, index, scan.picks) : validValue(b, j);
      if (end < 0) return -1;
      scan.elements.push(j, end);
      j = skipWs(b, end);
      if (b[j] === CLOSE_BRACKET) return j + 1;
      if (b[j] !== COMMA) return -1;
      j = skipWs(b, j + 1);
    }
  }

  /** One event object: pushes `index, field, start, end` for each wanted member. */
  #event(i: number, index: number, picks: number[]): number {
    const b = this.#b;
    let j = skipWs(b, i + 1);
    if (b[j] === CLOSE_BRACE) return j + 1;
    for (;;) {
      const nameEnd = b[j] === QUOTE ? validString(b, j) : -1;
      if (nameEnd < 0) return -1;
      const field = this.#match(j, nameEnd, escaped);
      const colon = skipWs(b, nameEnd);
      if (b[colon] !== COLON) return -1;
      const start = skipWs(b, colon + 1);
      const end = b[start] === QUOTE ? validString(b, start) : validValue(b, start);
      if (end < 0) return -1;
      if (field >= 0) picks.push(index, field, start, end);
      j = skipWs(b, end);
      if (b[j] === CLOSE_BRACE) return j + 1;
      if (b[j] !== COMMA) return -1;
      j = skipWs(b, j + 1);
    }
  }

  /** Index of the wanted field the name literal [quote, end) spells, or -1. */
  #match(quote: number, end: number, nameEscaped: boolean): number {
    const b = this.#b;
    const length = end - quote - 2;
    const fields = this.#fields;
    for (let n = 0; n < fields.length; n++) {
      const name = fields[n] as Uint8Array;
      if (name.length !== length) continue;
      let k = 0;
      while (k < length && b[quote + 1 + k] === name[k]) k++;
      if (k === length) return n;
    }
    // Only a name written with escapes can spell a wanted name in other bytes.
    return nameEscaped ? this.#plan.fields.indexOf(decodeName(b, quote, end)) : -1;
  }
}

/** JSON whitespace: space, tab, line feed, carriage return (nothing else, not even a BOM). */
export function skipWs(b: Uint8Array, i: number): number {
  // Never reads past the end: one out-of-bounds read would make V8 compile every inlined copy
  // of this loop (and the scan around it) with a slower load.
  const n = b.length;
  let j = i;
  while (j < n) {
    const c = b[j] as number;
    if (c > 0x20 || (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) return j;
    j++;
  }
  return j;
}

/** Whether [start, end) holds a backslash (a string literal with escapes). */
export function hasBackslash(b: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (b[k] === BACKSLASH) return true;
  return false;
}

/** The text of the name literal [quote, end), escapes decoded. */
export function decodeName(b: Uint8Array, quote: number, end: number): string {
  const literal = Buffer.from(b.buffer, b.byteOffset + quote, end - quote).toString("utf8");
  return hasBackslash(b, quote, end) ? (JSON.parse(literal) as string) : literal.slice(1, -1);
}

/**
 * End of the valid value starting at `i`, or -1. Iterative (a stack of open containers), so
 * deep nesting cannot overflow the call stack.
 */
function validValue(b: Uint8Array, start: number): number {
  const first = b[start];
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return validScalar(b, start);
  // Closing bracket expected for each open container; one stack reused (scans never overlap).
  let closers: Uint8Array = CLOSERS;
  let depth = 0;
  let i = start;
  for (;;) {
    // A value starts at i.
    const c = b[i];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      const inner = skipWs(b, i + 1);
      if (b[inner] === close) i = inner + 1;
      else {
        if (depth === closers.length) closers = grow(closers);
        closers[depth++] = close;
        i = c === OPEN_BRACE ? validName(b, inner) : inner;
        if (i < 0) return -1;
        i = skipWs(b, i);
        continue;
      }
    } else {
      i = c === QUOTE ? validString(b, i) : validScalar(b, i);
      if (i < 0) return -1;
    }
    // A value ended at i.
    for (;;) {
      if (depth === 0) return i;
      const close = closers[depth - 1];
      i = skipWs(b, i);
      const d = b[i];
      if (d === COMMA) {
        i = close === CLOSE_BRACE ? validName(b, skipWs(b, i + 1)) : i + 1;
        if (i < 0) return -1;
        i = skipWs(b, i);
        break;
      }
      if (d !== close) return -1;
      depth--;
      i++;
    }
  }
}

let CLOSERS: Uint8Array = new Uint8Array(64);

function grow(stack: Uint8Array): Uint8Array {
  CLOSERS = new Uint8Array(stack.length * 2);
  CLOSERS.set(stack);
  return CLOSERS;
}

/** Past `"name" :` at `i`, or -1. */
function validName(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) return -1;
  const end = validString(b, i);
  if (end < 0) return -1;
  const colon = skipWs(b, end);
  return b[colon] === COLON ? colon + 1 : -1;
}

function validScalar(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return validString(b, i);
  if (c === MINUS || (c !== undefined && c >= DIGIT_0 && c <= DIGIT_9)) return validNumber(b, i);
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1;
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
  if (c === 0x66)
    return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1;
  return -1;
}

/** Whether the last string `validString` accepted held an escape (saves a second look at names). */
let escaped = false;

/** Bytes that end the fast run of a string: quote, backslash, control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** Past the string literal at `i` (a quote), or -1: no raw control characters, only JSON escapes. */
function validString(b: Uint8Array, i: number): number {
  escaped = false;
  const n = b.length;
  let j = i + 1;
  for (;;) {
    while (j < n && STRING_STOP[b[j] as number] === 0) j++;
    if (j >= n) return -1;
    const c = b[j] as number;
    if (c === QUOTE) return j + 1;
    if (c < 0x20) return -1;
    escaped = true;
    const e = b[j + 1];
    if (e === 0x75) {
      for (let k = 2; k < 6; k++) if (!isHex(b[j + k])) return -1;
      j += 6;
      continue;
    }
    if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || isShortEscape(e))) return -1;
    j += 2;
  }
}

/** b f n r t */
function isShortEscape(e: number | undefined): boolean {
  return e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

/** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` */
function validNumber(b: Uint8Array, i: number): number {
  let j = b[i] === MINUS ? i + 1 : i;
  if (b[j] === DIGIT_0) j++;
  else {
    const int = digits(b, j);
    if (int === j) return -1;
    j = int;
  }
  if (b[j] === 0x2e) {
    const frac = digits(b, j + 1);
    if (frac === j + 1) return -1;
    j = frac;
  }
  if (b[j] === 0x65 || b[j] === 0x45) {
    j++;
    if (b[j] === 0x2b || b[j] === MINUS) j++;
    const exp = digits(b, j);
    if (exp === j) return -1;
    j = exp;
  }
  return j;
}

function digits(b: Uint8Array, i: number): number {
  let j = i;
  for (let c = b[j]; c !== undefined && c >= DIGIT_0 && c <= DIGIT_9; c = b[++j]);
  return j;
}
