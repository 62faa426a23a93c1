/**
 * `on_invalid_utf8`: what happens to bytes of a response that are not UTF-8.
 * - `replace`: each invalid sequence becomes U+FFFD (lossy, the WHATWG decoder's rule);
 * - `escape`: each invalid byte becomes the four characters `\xNN` — inside a JSON string the
 *   byte is kept visible and recoverable, and the line is still valid UTF-8 and valid JSON;
 * - `fail`: the page is a parse error.
 * Valid bodies (nearly all) are decoded once, without a scan.
 */
import { isUtf8 } from "node:buffer";
import { ParseError } from "./events.ts";

export type InvalidUtf8Policy = "replace" | "escape" | "fail";

/** The body as text under `policy`; a leading BOM is dropped. @throws ParseError for `fail`. */
export function decodeBody(body: Buffer, policy: InvalidUtf8Policy): string {
  let text: string;
  if (isUtf8(body)) text = body.toString("utf8");
  else if (policy === "fail") throw new ParseError("response is not valid UTF-8 (on_invalid_utf8: fail)");
  else if (policy === "escape") text = escapeInvalid(body);
  else text = new TextDecoder("utf-8").decode(body);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Decodes valid UTF-8 sequences and writes every byte that is not part of one as `\xNN`, with the
 * backslash itself escaped for JSON (`\\xNN`): in a JSON string it reads back as the text `\xNN`.
 * Outside a string an invalid byte is invalid JSON either way, so the page still fails to parse.
 */
export function escapeInvalid(body: Uint8Array): string {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let out = "";
  let runStart = 0;
  let i = 0;
  while (i < body.length) {
    const length = sequenceLength(body, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += decoder.decode(body.subarray(runStart, i));
    out += `\\\\x${(body[i] as number).toString(16).toUpperCase().padStart(2, "0")}`;
    i++;
    runStart = i;
  }
  return out + decoder.decode(body.subarray(runStart));
}

/** Length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates), or 0. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const v = b[i + k];
    return v !== undefined && v >= lo && v <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
