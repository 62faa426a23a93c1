/**
 * Where a statement sits, which decides the forms it may use. Shared by the lowering (text →
 * AST) and the printer (AST → text), so both agree on what a form means where.
 */

/**
 * - `file`: top level (`global { … }`, `source id { … }`);
 * - `sources`: inside a generic `sources { … }` block, whose entries are sources;
 * - `source` / `global`: directly inside one source / the global block;
 * - `config`: any other config block;
 * - `data`: `headers`, `query_params` and `body` and everything below them, whose keys and
 *   values are sent as written, so no shorthand (durations, sizes, `env`, `file`) applies.
 */
export type ContextKind = "file" | "sources" | "source" | "global" | "config" | "data";

/** A context, with the key of the data block it is in (for messages). */
export interface Context {
  readonly kind: ContextKind;
  readonly dataKey?: string;
}

/** Keys whose contents are data, not configuration. */
const DATA_KEYS: ReadonlySet<string> = new Set(["headers", "query_params", "body"]);

/** The top-level context. */
export const FILE_CONTEXT: Context = { kind: "file" };

/** The context of the value of `key` written in `parent`. */
export function childContext(parent: Context, key: string): Context {
  switch (parent.kind) {
    case "data":
      return parent;
    case "file":
      if (key === "global") return { kind: "global" };
      return key === "sources" ? { kind: "sources" } : { kind: "config" };
    case "sources":
      return { kind: "source" };
    default:
      return DATA_KEYS.has(key) ? { kind: "data", dataKey: key } : { kind: "config" };
  }
}
