/**
 * Where each event's text lies in parseResponse's result JSON, so the host writes an event's line
 * from the text the sandbox produced instead of encoding the parsed event again.
 *
 * The result is QuickJS's `JSON.stringify` of what the hook returned: no whitespace, and the same
 * text V8's `JSON.stringify` gives for the value it parses to (member order, number and string
 * forms; test/unit/hooks/event-text.test.ts checks this). For each item of the top-level array
 * that is an object with an `event` member, the member's text is that event's
 * `JSON.stringify`; other items have none. Anything unexpected gives no texts at all, and the
 * host encodes the events itself.
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
} from "../extract/json-chars.ts";

/** The scanner gives up (caught in {@link eventTexts}, never thrown out of this module). */
class Unexpected extends Error {}

/** Each top-level item's `event` text (undefined where it has none); [] when `json` is not as expected. */
export function eventTexts(json: string): (string | undefined)[] {
  try {
    return scan(json);
  } catch (error) {
    if (error instanceof Unexpected) return [];
    throw error;
  }
}

function scan(json: string): (string | undefined)[] {
  const texts: (string | undefined)[] = [];
  if (json.charCodeAt(0) !== OPEN_BRACKET) return texts;
  let at = 1;
  if (json.charCodeAt(at) === CLOSE_BRACKET) return texts;
  for (;;) {
    let text: string | undefined;
    if (json.charCodeAt(at) === OPEN_BRACE) {
      at++;
      if (json.charCodeAt(at) !== CLOSE_BRACE) {
        for (;;) {
          const keyEnd = stringEnd(json, at);
          const isEvent = keyEnd - at === 7 && json.startsWith('"event"', at);
          if (json.charCodeAt(keyEnd) !== COLON) throw new Unexpected();
          const end = valueEnd(json, keyEnd + 1);
          if (isEvent) text = json.slice(keyEnd + 1, end);
          at = end;
          const next = json.charCodeAt(at);
          if (next === COMMA) at++;
          else if (next === CLOSE_BRACE) break;
          else throw new Unexpected();
        }
      }
      at++;
    } else {
      at = valueEnd(json, at);
    }
    texts.push(text);
    const next = json.charCodeAt(at);
    if (next === COMMA) at++;
    else if (next === CLOSE_BRACKET && at === json.length - 1) return texts;
    else throw new Unexpected();
  }
}

/** The index just past the string starting at `at` (its opening quote). */
function stringEnd(json: string, at: number): number {
  if (json.charCodeAt(at) !== QUOTE) throw new Unexpected();
  let quote = at;
  for (;;) {
    quote = json.indexOf('"', quote + 1);
    if (quote < 0) throw new Unexpected();
    let slashes = 0;
    while (json.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
  }
}

/** The index just past the value starting at `at`. */
function valueEnd(json: string, at: number): number {
  const first = json.charCodeAt(at);
  if (first === QUOTE) return stringEnd(json, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter.
    let end = at;
    for (;;) {
      const c = json.charCodeAt(end);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || Number.isNaN(c)) break;
      end++;
    }
    if (end === at) throw new Unexpected();
    return end;
  }
  let depth = 0;
  let i = at;
  for (;;) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(json, i);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    } else if (Number.isNaN(c)) throw new Unexpected();
    i++;
  }
}
