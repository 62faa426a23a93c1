/**
 * A minimal scanner over text already known to be valid JSON (JSON.parse accepted it).
 * It finds byte ranges instead of values, so events can be written exactly as the vendor
 * sent them (key order and number formatting kept) without re-serialising.
 */

/** [start, end) offsets of each element of the array that starts at `start` (`[`). */
export function arrayElementRanges(text: string, start: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let i = skipSpace(text, start + 1);
  if (text.charCodeAt(i) === 93) return ranges; // ]
  for (;;) {
    i = skipSpace(text, i);
    const end = skipValue(text, i);
    ranges.push([i, end]);
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === 44)
      i++; // ,
    else return ranges;
  }
}

/** Offset of the value of the LAST occurrence of `key` in the object starting at `start` (`{`). */
export function objectMemberStart(text: string, start: number, key: string): number | undefined {
  let found: number | undefined;
  let i = skipSpace(text, start + 1);
  while (text.charCodeAt(i) === 34) {
    const keyEnd = skipString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd) + 1; // past ':'
    i = skipSpace(text, i);
    if (name === key) found = i;
    i = skipSpace(text, skipValue(text, i));
    if (text.charCodeAt(i) === 44) i = skipSpace(text, i + 1);
  }
  return found;
}

/** Offset just past the JSON value that starts at `i`. */
export function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return skipString(text, i);
  if (c !== 123 && c !== 91) return skipScalar(text, i);
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 34) j = skipString(text, j) - 1;
    else if (d === 123 || d === 91) depth++;
    else if (d === 125 || d === 93) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}

/** Offset just past the string literal whose opening quote is at `i`. */
export function skipString(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const quote = text.indexOf('"', j);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let k = quote - 1; text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    j = quote + 1;
  }
}

function skipScalar(text: string, i: number): number {
  let j = i;
  for (; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9) break;
  }
  return j;
}

/** Skips JSON whitespace. */
export function skipSpace(text: string, i: number): number {
  let j = i;
  for (; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
  }
  return j;
}
