/**
 * Where each source's hook script is named in its config file, so the hooks stage can report a
 * missing file at `hooks.script` and an inline script's problems at their place in the config.
 */
import { type AstNode, type ConfigDocument, entryAt, valueAt } from "../ast/nodes.ts";
import type { Span } from "../source/span.ts";

/** The `hooks.script` or `hooks.script_inline` value of one source. */
export interface HookSite {
  readonly sourceId: string;
  /** The scalar's span in its config file. */
  readonly span: Span;
  /** Where the value appears character for character (one-line plain or escape-free quoted). */
  readonly verbatimStart?: number;
}

/** Every source's hook site, by source id (ids are unique once cross-file checks passed). */
export function hookSites(documents: readonly ConfigDocument[]): ReadonlyMap<string, HookSite> {
  const sites = new Map<string, HookSite>();
  for (const document of documents) {
    const sources = valueAt(document.root, "sources");
    if (sources?.kind !== "map") continue;
    for (const entry of sources.entries) {
      const hooks = valueAt(entry.value, "hooks");
      const value: AstNode | undefined =
        entryAt(hooks, "script")?.value ?? entryAt(hooks, "script_inline")?.value;
      if (value?.kind !== "scalar") continue;
      sites.set(entry.key.value, {
        sourceId: entry.key.value,
        span: value.span,
        ...(value.verbatimStart !== undefined ? { verbatimStart: value.verbatimStart } : {}),
      });
    }
  }
  return sites;
}
