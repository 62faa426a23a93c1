import type { ConfigDocument, KeyNode } from "../ast/nodes.ts";
import { entryAt } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { span } from "../source/span.ts";
import { configUnits } from "./units.ts";

/**
 * Checks across all files, in the order the files were given: one `global:` block at most,
 * unique source ids, and at least one source. The later definition is the one reported.
 */
export function checkAcrossFiles(documents: readonly ConfigDocument[]): {
  diagnostics: Diagnostic[];
  sourceCount: number;
} {
  const diagnostics: Diagnostic[] = [];
  const firstSource = new Map<string, KeyNode>();
  let firstGlobal: KeyNode | undefined;
  for (const unit of documents.flatMap(configUnits)) {
    if (unit.kind === "global") {
      if (firstGlobal === undefined) firstGlobal = unit.key;
      else diagnostics.push(secondGlobal(unit.key, firstGlobal));
      continue;
    }
    const first = firstSource.get(unit.name);
    if (first === undefined) firstSource.set(unit.name, unit.key);
    else diagnostics.push(duplicateSource(unit.name, unit.key, first));
  }
  return { diagnostics, sourceCount: firstSource.size };
}

function secondGlobal(key: KeyNode, first: KeyNode): Diagnostic {
  return diagnostic("HLR4002", key.span, "only one file may have a `global:` block", {
    hint: "merge the two `global:` blocks into one file",
    related: [{ message: "the first `global:` block is here", span: first.span }],
  });
}

function duplicateSource(id: string, key: KeyNode, first: KeyNode): Diagnostic {
  return diagnostic("HLR4001", key.span, `source \`${id}\` is already defined`, {
    hint: "source ids must be unique across all files; rename one of them",
    related: [{ message: `\`${id}\` is first defined here`, span: first.span }],
  });
}

/**
 * The "no sources" error, placed at the first `sources:` key when there is one (it is
 * empty), else at the start of the first file.
 */
export function noSources(documents: readonly ConfigDocument[]): Diagnostic {
  const key = documents.map((d) => entryAt(d.root, "sources")?.key).find((k) => k !== undefined);
  const at = key?.span ?? span(documents[0]?.file ?? "<no input>", 0, 0);
  const message = documents.length === 0 ? "no config files were given" : "no sources are defined";
  return diagnostic("HLR4003", at, message, {
    hint: "add a source under `sources:`, e.g. `sources: { okta-audit: { url: https://… } }`",
  });
}
