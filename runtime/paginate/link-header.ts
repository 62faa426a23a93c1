/**
 * RFC 8288 `Link` header parsing.
 *
 * Handles several header lines (Okta sends `self` and `next` as two lines), comma-joined
 * values (GitHub), commas inside `<…>` and inside quoted parameters, multi-valued `rel`
 * (`rel="next last"`), and recovers from one malformed entry without losing the others.
 */

/** One link-value: the target as written (maybe relative) and its relation types, lower-cased. */
export interface LinkValue {
  readonly target: string;
  readonly rels: readonly string[];
}

/** Parses every `Link` header value given. */
export function parseLinkHeaders(values: readonly string[]): LinkValue[] {
  const links: LinkValue[] = [];
  for (const value of values) parseOne(value, links);
  return links;
}

/**
 * The first link with relation `rel` (case-insensitive), resolved against `baseUrl`
 * (the URL of the response that carried it). Undefined when absent or unresolvable.
 */
export function findLink(values: readonly string[], rel: string, baseUrl: string): string | undefined {
  const wanted = rel.toLowerCase();
  for (const link of parseLinkHeaders(values)) {
    if (!link.rels.includes(wanted)) continue;
    try {
      return new URL(link.target, baseUrl).href;
    } catch {
      // An unresolvable target is as good as none; keep looking.
    }
  }
  return undefined;
}

function parseOne(text: string, out: LinkValue[]): void {
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("<", i);
    if (open < 0) return;
    const close = text.indexOf(">", open + 1);
    if (close < 0) return;
    const target = text.slice(open + 1, close).trim();
    const params = readParams(text, close + 1);
    const rel = params.values.get("rel");
    if (params.ok && rel !== undefined) {
      out.push({
        target,
        rels: rel
          .toLowerCase()
          .split(/\s+/)
          .filter((r) => r !== ""),
      });
    }
    i = params.end;
  }
}

interface Params {
  readonly values: Map<string, string>;
  readonly end: number;
  readonly ok: boolean;
}

/** Reads `; name=value` pairs up to the next top-level comma; the first `rel` wins (RFC 8288 §3.3). */
function readParams(text: string, start: number): Params {
  const values = new Map<string, string>();
  let i = start;
  let ok = true;
  while (i < text.length) {
    i = skipSpace(text, i);
    const ch = text[i];
    if (ch === ",") return { values, end: i + 1, ok };
    if (ch !== ";") {
      ok = false;
      const comma = text.indexOf(",", i);
      return { values, end: comma < 0 ? text.length : comma + 1, ok };
    }
    i = skipSpace(text, i + 1);
    const nameMatch = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\*?/.exec(text.slice(i));
    if (!nameMatch) {
      ok = false;
      continue;
    }
    const name = nameMatch[0].toLowerCase();
    i = skipSpace(text, i + name.length);
    let value = "";
    if (text[i] === "=") {
      const read = readValue(text, skipSpace(text, i + 1));
      value = read.value;
      i = read.end;
    }
    if (!values.has(name)) values.set(name, value);
  }
  return { values, end: i, ok };
}

function readValue(text: string, start: number): { value: string; end: number } {
  if (text[start] !== '"') {
    const match = /^[^\s;,]*/.exec(text.slice(start));
    const raw = match ? match[0] : "";
    return { value: raw, end: start + raw.length };
  }
  let value = "";
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === "\\" && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  return { value, end: Math.min(i + 1, text.length) };
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  return i;
}
