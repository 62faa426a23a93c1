import type { AstNode } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { ConfigUnit } from "./units.ts";

/** `true`: this key and everything under it reaches the IR; a tree: only the listed children do. */
type Implemented = { readonly [key: string]: true | Implemented };

/**
 * What the runtime honours today (see runtime/spec.ts). `auth` and `pagination` are whole
 * subtrees because their unsupported variants are errors (see support.ts), not warnings.
 */
const IMPLEMENTED: Readonly<Record<ConfigUnit["kind"], Implemented>> = {
  source: {
    url: true,
    method: true,
    body: true,
    headers: true,
    query_params: true,
    every_query_params: true,
    from: true,
    from_param: true,
    incremental_from: true,
    state: true,
    response_events_path: true,
    response_event_object_path: true,
    include_regex: true,
    exclude_regex: true,
    dedupe: true,
    checkpoint: true,
    on_cursor_error: true,
    on_state_write_error: true,
    on_parse_error: true,
    on_invalid_utf8: true,
    max_bytes: true,
    max_response_bytes: true,
    max_line_bytes: true,
    max_line_bytes_behavior: true,
    source_label_key: true,
    source_label_value: true,
    schedule: { interval_secs: true, jitter_secs: true },
    auth: true,
    pagination: true,
    transform: true,
    resilience: true,
  },
  global: {
    log_level: true,
    log_format: true,
    source_label_key: true,
    source_label_value: true,
    state: { backend: true, path: true, url: true },
    audit: true,
    bulkhead: true,
  },
};

/**
 * One warning per key the runtime ignores, at the outermost such key: `resilience.retries`
 * warns once for the block, not once per key inside it.
 */
export function checkNotImplemented(unit: ConfigUnit): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(unit.node, IMPLEMENTED[unit.kind], [], out);
  return out;
}

function walk(node: AstNode, implemented: Implemented, path: readonly string[], out: Diagnostic[]): void {
  if (node.kind !== "map") return;
  for (const entry of node.entries) {
    const rule = implemented[entry.key.value];
    const keyPath = [...path, entry.key.value];
    if (rule === true) continue;
    if (rule !== undefined) {
      walk(entry.value, rule, keyPath, out);
      continue;
    }
    const message = `\`${keyPath.join(".")}\` is accepted but not implemented yet by the runtime; it has no effect`;
    out.push(diagnostic("HLR3001", entry.key.span, message));
  }
}
