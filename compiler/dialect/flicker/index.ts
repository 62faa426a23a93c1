/**
 * Flicker's config format as a second YAML dialect. A YAML file whose top level has
 * `api_sources:` is a Flicker config; {@link lowerFlicker} rewrites its AST into the Helr AST
 * that means the same (`sources:` plus `global.output.http`), so validation, the IR and
 * everything after exist once and a Flicker file compiles to exactly the IR of its Helr
 * equivalent. `helrc convert` prints that AST. docs/migrating.md has the key mapping.
 */
import {
  type AstNode,
  type ConfigDocument,
  entryAt,
  type MapEntry,
  type MapNode,
  stringAt,
} from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { outputParts } from "./destination.ts";
import { checkKeys, TOP_KEYS } from "./keys.ts";
import { entry, keyAt, mapAt } from "./nodes.ts";
import { lowerSource } from "./source.ts";

/** True for a document in Flicker's format: a top-level map with `api_sources`. */
export function isFlicker(root: AstNode | undefined): root is MapNode {
  return root?.kind === "map" && entryAt(root, "api_sources") !== undefined;
}

/** A Flicker document rewritten as Helr, and what the rewriting found wrong. */
export interface Lowered {
  readonly document: ConfigDocument;
  readonly diagnostics: Diagnostic[];
}

/** Rewrites a Flicker document as Helr; any other document is returned as it is. */
export function lowerFlicker(document: ConfigDocument): Lowered {
  const root = document.root;
  if (!isFlicker(root)) return { document, diagnostics: [] };
  const diagnostics = checkKeys(root, TOP_KEYS, "config (top level)");
  const list = entryAt(root, "api_sources") as MapEntry;
  const sources: MapEntry[] = [];
  const output: MapEntry[] = [];
  const items = list.value.kind === "seq" ? list.value.items : [];
  if (list.value.kind !== "seq")
    diagnostics.push(diagnostic("HLR2002", list.value.span, "`api_sources` must be a list of sources"));
  items.forEach((item, i) => {
    const where = `api_sources[${i}]`;
    if (item.kind !== "map") {
      diagnostics.push(diagnostic("HLR2002", item.span, `${where} must be a map of settings`));
      return;
    }
    const id = sourceKey(item, where, sources, diagnostics);
    const lowered = lowerSource(item, where);
    diagnostics.push(...lowered.diagnostics);
    if (id !== undefined) sources.push({ key: id, value: lowered.source });
    const parts = outputParts(item);
    diagnostics.push(...parts.diagnostics);
    mergeOutput(output, parts.parts, diagnostics);
  });
  const entries: MapEntry[] = [];
  const global = globalEntry(entryAt(root, "global"), output, diagnostics);
  if (global !== undefined) entries.push(global);
  entries.push(entry("sources", list.key.span, mapAt(sources, list.value.span)));
  return { document: { file: document.file, root: mapAt(entries, root.span) }, diagnostics };
}

/** The source's `name`, as the key of `sources:`; undefined (after a diagnostic) when unusable. */
function sourceKey(item: MapNode, where: string, seen: readonly MapEntry[], diagnostics: Diagnostic[]) {
  const name = entryAt(item, "name");
  const value = stringAt(name?.value);
  if (name === undefined || value === undefined) {
    diagnostics.push(
      diagnostic("HLR2003", (name?.value ?? item).span, `${where} needs a \`name\` (a string)`, {
        hint: "Helr uses it as the source id in state, logs and each NDJSON line",
      }),
    );
    return undefined;
  }
  const first = seen.find((e) => e.key.value === value);
  if (first !== undefined) {
    diagnostics.push(
      diagnostic("HLR1002", name.value.span, `two api_sources are named ${JSON.stringify(value)}`, {
        hint: "give each source its own name",
        related: [{ message: "first used here", span: first.key.span }],
      }),
    );
    return undefined;
  }
  return keyAt(value, name.value.span);
}

/** Adds one source's output settings; a value that differs from an earlier source's is an error. */
function mergeOutput(into: MapEntry[], parts: readonly MapEntry[], diagnostics: Diagnostic[]): void {
  for (const part of parts) {
    const earlier = into.find((e) => e.key.value === part.key.value);
    if (earlier === undefined) {
      into.push(part);
      continue;
    }
    if (JSON.stringify(shape(earlier.value)) === JSON.stringify(shape(part.value))) continue;
    diagnostics.push(
      diagnostic(
        "HLR2101",
        part.key.span,
        `Helr sends every source to one output, but this \`${part.key.value}\` differs from an earlier source's`,
        {
          hint: "give every source the same destination settings, or split the sources into separate configs (one bundle each)",
          related: [{ message: "the earlier setting", span: earlier.key.span }],
        },
      ),
    );
  }
}

/** `global:` as written, with `output.http` from the Flicker destinations added. */
function globalEntry(given: MapEntry | undefined, output: readonly MapEntry[], diagnostics: Diagnostic[]) {
  const first = output[0];
  if (first === undefined) return given;
  const http = entry("http", first.key.span, mapAt(output, first.key.span));
  const block = entry("output", first.key.span, mapAt([http], first.key.span));
  if (given === undefined) return entry("global", first.key.span, mapAt([block], first.key.span));
  // A non-map `global:` is reported by the schema check; keep it so it still is.
  if (given.value.kind !== "map") return given;
  const own = entryAt(given.value, "output");
  if (own !== undefined) {
    diagnostics.push(
      diagnostic("HLR2101", own.key.span, "`global.output` and Flicker destination settings are both given", {
        hint: "keep one: the destination (`destination`, `buffer_size`, `flush_interval_ms`) or `global.output`",
        related: [{ message: "the Flicker setting", span: first.key.span }],
      }),
    );
    return given;
  }
  return { key: given.key, value: mapAt([...given.value.entries, block], given.value.span) };
}

/** A node's values without spans. */
function shape(node: AstNode): unknown {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(shape);
  return node.entries.map((e) => [e.key.value, shape(e.value)]);
}
