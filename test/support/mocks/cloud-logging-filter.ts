/**
 * A small, strict subset of the Logging query language for the Cloud Logging mock: comparisons
 * `field OP value` joined by `AND` (or by a line break), optionally negated with `NOT` or `-`.
 * OP is one of `= != > >= < <= :`; values are quoted strings or bare words. Timestamps compare at
 * nanosecond precision and severities by rank. Anything else (OR, parentheses, functions) is rejected,
 * so a collector never silently gets unfiltered results.
 */
import type { LogEntry } from "./cloud-logging-entries.ts";

export type EntryPredicate = (entry: LogEntry) => boolean;

const SEVERITIES = [
  "DEFAULT",
  "DEBUG",
  "INFO",
  "NOTICE",
  "WARNING",
  "ERROR",
  "CRITICAL",
  "ALERT",
  "EMERGENCY",
];
const TERM = /^\s*(NOT\s+|-)?([A-Za-z_@][\w.@]*)\s*(>=|<=|!=|=|>|<|:)\s*("(?:[^"\\]|\\.)*"|[^\s"()]+)\s*$/;

/** Parses `filter` into a predicate, or returns an `INVALID_ARGUMENT` message. */
export function parseFilter(filter: string): { predicate: EntryPredicate } | { error: string } {
  const terms = splitTerms(filter).filter((t) => t.trim() !== "");
  const predicates: EntryPredicate[] = [];
  for (const term of terms) {
    const match = TERM.exec(term);
    if (match === null)
      return {
        error: `Unparseable filter: the mock understands only AND-joined comparisons, got ${JSON.stringify(term.trim())}`,
      };
    const [, not, field = "", op = "", raw = ""] = match;
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    const compare = comparator(field, value);
    if ("error" in compare) return compare;
    const test = opTest(op, value, compare.cmp, field);
    predicates.push(not === undefined ? test : (e) => !test(e));
  }
  return { predicate: (entry) => predicates.every((p) => p(entry)) };
}

/** Normalises an RFC 3339 time to `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, or undefined. */
export function canonicalTimestamp(text: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (match === null) return undefined;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.000Z$/, `.${(match[2] ?? "").padEnd(9, "0")}Z`);
}

type Cmp = (entry: LogEntry) => number | undefined;

/** How to order an entry's field against the value: negative, zero, positive, or undefined when absent. */
function comparator(field: string, value: string): { cmp: Cmp } | { error: string } {
  if (field === "timestamp" || field === "receiveTimestamp") {
    const bound = canonicalTimestamp(value);
    if (bound === undefined) return { error: `Invalid timestamp ${JSON.stringify(value)} in filter` };
    return { cmp: (e) => compareStrings(e[field], bound) };
  }
  if (field === "severity") {
    const rank = SEVERITIES.indexOf(value.toUpperCase());
    if (rank < 0) return { error: `Invalid severity ${JSON.stringify(value)} in filter` };
    return { cmp: (e) => SEVERITIES.indexOf(e.severity) - rank };
  }
  return { cmp: (e) => compareStrings(lookup(e, field), value) };
}

function opTest(op: string, value: string, cmp: Cmp, field: string): EntryPredicate {
  const is =
    (accept: (n: number) => boolean): EntryPredicate =>
    (e) => {
      const n = cmp(e);
      return n !== undefined && accept(n);
    };
  switch (op) {
    case "=":
      return is((n) => n === 0);
    case "!=":
      return (e) => cmp(e) !== 0;
    case ">":
      return is((n) => n > 0);
    case ">=":
      return is((n) => n >= 0);
    case "<":
      return is((n) => n < 0);
    case "<=":
      return is((n) => n <= 0);
    default:
      // `:` is "has": a case-insensitive substring test.
      return (e) =>
        String(lookup(e, field) ?? "")
          .toLowerCase()
          .includes(value.toLowerCase());
  }
}

function compareStrings(actual: unknown, expected: string): number | undefined {
  if (actual === undefined || actual === null) return undefined;
  const text = typeof actual === "string" ? actual : JSON.stringify(actual);
  return text < expected ? -1 : text > expected ? 1 : 0;
}

function lookup(entry: LogEntry, path: string): unknown {
  let value: unknown = entry;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Splits on `AND` and line breaks outside double-quoted strings. */
function splitTerms(filter: string): string[] {
  const terms: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < filter.length; i++) {
    const ch = filter.charAt(i);
    if (ch === "\\" && quoted) {
      current += ch + filter.charAt(++i);
      continue;
    }
    if (ch === '"') quoted = !quoted;
    const and = !quoted && /^\sAND\s/.test(filter.slice(i, i + 5));
    if (!quoted && (ch === "\n" || and)) {
      terms.push(current);
      current = "";
      if (and) i += 4;
      continue;
    }
    current += ch;
  }
  terms.push(current);
  return terms;
}
