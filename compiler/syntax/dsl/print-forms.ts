/**
 * The printer's side of forms.ts: recognises entries that a form writes back exactly (same
 * keys, same order, values a form can carry) and prints them as that form.
 */
import type { MapEntry, MapNode } from "../../ast/nodes.ts";
import { type Context, childContext } from "./context.ts";
import { stateArgumentKey } from "./forms.ts";
import type { Stmt } from "./print-layout.ts";
import { writeWord } from "./strings.ts";
import { formatDuration } from "./units.ts";

/** What the forms need from the printer. */
export interface StatementPrinter {
  statements(entries: readonly MapEntry[], ctx: Context): Stmt[];
  range(entries: readonly MapEntry[]): Pick<Stmt, "start" | "end">;
}

/** Statements printed by a form, and how many entries they stand for. */
export interface FormMatch {
  readonly stmts: Stmt[];
  readonly consumed: number;
}

/** The form for `entries[index]` in `ctx`, if one writes it exactly. */
export function formStatement(
  printer: StatementPrinter,
  entries: readonly MapEntry[],
  index: number,
  ctx: Context,
): FormMatch | undefined {
  const entry = entries[index];
  if (entry === undefined) return undefined;
  switch (ctx.kind) {
    case "file":
      return entry.key.value === "sources" ? sources(printer, entry) : undefined;
    case "source":
      return (
        method(printer, entry, entries[index + 1]) ??
        tagged(printer, entry, ctx, "auth", "type") ??
        tagged(printer, entry, ctx, "pagination", "strategy") ??
        every(printer, entry)
      );
    case "global":
      return tagged(printer, entry, ctx, "state", "backend", stateArgumentKey);
    default:
      return undefined;
  }
}

/** `sources:` whose every entry is a map → one `source ID { … }` per source. */
function sources(printer: StatementPrinter, entry: MapEntry): FormMatch | undefined {
  const map = entry.value;
  if (map.kind !== "map" || map.entries.length === 0) return undefined;
  const stmts: Stmt[] = [];
  for (const source of map.entries) {
    if (source.value.kind !== "map") return undefined;
    const body = printer.statements(source.value.entries, { kind: "source" });
    stmts.push({
      head: `source ${writeWord(source.key.value)}`,
      body: { kind: "block", stmts: body },
      ...printer.range([source]),
    });
  }
  return { stmts, consumed: 1 };
}

/** `method: get` directly followed by `url: …` → `get "…"`. */
function method(
  printer: StatementPrinter,
  entry: MapEntry,
  next: MapEntry | undefined,
): FormMatch | undefined {
  const verb = stringOf(entry, "method");
  const url = next === undefined ? undefined : stringOf(next, "url");
  if ((verb !== "get" && verb !== "post") || url === undefined || next === undefined) return undefined;
  return { stmts: [{ head: `${verb} ${writeWord(url)}`, ...printer.range([entry, next]) }], consumed: 2 };
}

/**
 * `auth: { type: bearer, … }` → `auth bearer { … }` (the tag must come first); `argumentKey`
 * names the entry that may follow the tag as a second word.
 */
function tagged(
  printer: StatementPrinter,
  entry: MapEntry,
  ctx: Context,
  key: string,
  tagKey: string,
  argumentKey?: (tag: string) => string,
): FormMatch | undefined {
  const map = entry.value;
  if (entry.key.value !== key || map.kind !== "map") return undefined;
  const [first, second] = map.entries;
  const tag = first === undefined ? undefined : stringOf(first, tagKey);
  if (tag === undefined) return undefined;
  let head = `${key} ${writeWord(tag)}`;
  let rest = 1;
  const argument =
    second === undefined || argumentKey === undefined ? undefined : stringOf(second, argumentKey(tag));
  if (argument !== undefined) {
    head += ` ${writeWord(argument)}`;
    rest = 2;
  }
  const stmts = printer.statements(map.entries.slice(rest), childContext(ctx, key));
  return {
    stmts: [{ head, body: { kind: "block", stmts, omitWhenEmpty: true }, ...printer.range([entry]) }],
    consumed: 1,
  };
}

/** `schedule: { interval_secs, jitter_secs? }` → `every 1m jitter 5s`. */
function every(printer: StatementPrinter, entry: MapEntry): FormMatch | undefined {
  if (entry.key.value !== "schedule" || entry.value.kind !== "map") return undefined;
  const words = scheduleWords(entry.value);
  return words === undefined
    ? undefined
    : { stmts: [{ head: words, ...printer.range([entry]) }], consumed: 1 };
}

function scheduleWords(schedule: MapNode): string | undefined {
  const [interval, jitter, extra] = schedule.entries;
  if (interval === undefined || extra !== undefined) return undefined;
  const every = durationOf(interval, "interval_secs");
  if (every === undefined) return undefined;
  if (jitter === undefined) return `every ${every}`;
  const spread = durationOf(jitter, "jitter_secs");
  return spread === undefined ? undefined : `every ${every} jitter ${spread}`;
}

function durationOf(entry: MapEntry, key: string): string | undefined {
  if (entry.key.value !== key || entry.value.kind !== "scalar" || typeof entry.value.value !== "number")
    return undefined;
  return formatDuration(entry.value.value, key);
}

function stringOf(entry: MapEntry, key: string): string | undefined {
  if (entry.key.value !== key || entry.value.kind !== "scalar") return undefined;
  return typeof entry.value.value === "string" ? entry.value.value : undefined;
}
