/**
 * `helrc convert --to yaml|helr` for a Flicker config: the Helr config it compiles as. The YAML
 * output keeps the comments that sit on a key or value Helr still has (the `yaml` library gives
 * them per node; they follow the Flicker span each Helr node was made from); `.helr` output and
 * comments on keys that disappear (`results_field: ""`) are not carried over.
 */
import { type Node, parseDocument, visit } from "yaml";
import type { AstNode, KeyNode } from "../../ast/nodes.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import { SourceFile } from "../../source/source-file.ts";
import type { TextResult } from "../../syntax/dsl/format.ts";
import { printHelr } from "../../syntax/dsl/print.ts";
import { parseYaml } from "../../syntax/yaml/parse-yaml.ts";
import {
  type CommentLookup,
  type NodeComments,
  printYaml,
  yamlHasComments,
} from "../../syntax/yaml/print-yaml.ts";
import { isFlicker, lowerFlicker } from "./index.ts";

/** The Helr text of a Flicker file, or undefined when `text` is not a Flicker config. */
export function convertFlicker(path: string, text: string, to: "helr" | "yaml"): TextResult | undefined {
  const file = new SourceFile(path, text);
  const parsed = parseYaml(file);
  if (hasErrors(parsed.diagnostics) || !isFlicker(parsed.document.root)) return undefined;
  const lowered = lowerFlicker(parsed.document);
  const diagnostics = [...parsed.diagnostics, ...lowered.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics, file, droppedComments: false };
  const root = lowered.document.root;
  if (to === "helr")
    return { text: printHelr(root), diagnostics, file, droppedComments: yamlHasComments(text) };
  return { text: printYaml(root, commentsOf(text)), diagnostics, file, droppedComments: false };
}

/** The comments of the Flicker text, found by the start offset of the node they belong to. */
function commentsOf(text: string): CommentLookup {
  const byStart = new Map<number, { before?: string; after?: string }>();
  const add = (
    node: Node | null | undefined,
    before: string | null | undefined,
    after: string | null | undefined,
  ) => {
    const start = node?.range?.[0];
    if (start === undefined) return;
    const known = byStart.get(start) ?? {};
    if (before) known.before = known.before === undefined ? before : `${known.before}\n${before}`;
    if (after) known.after = known.after === undefined ? after : `${known.after} ${after}`;
    byStart.set(start, known);
  };
  visit(parseDocument(text, { version: "1.2" }), {
    Scalar(_key, node) {
      add(node, node.commentBefore, node.comment);
    },
    Map(_key, node) {
      add(node, node.commentBefore, node.comment);
    },
    Seq(_key, node) {
      add(node, node.commentBefore, node.comment);
    },
  });
  // A key takes the comments above it, a value also the one after it on its line; each once.
  const usedBefore = new Set<number>();
  const usedAfter = new Set<number>();
  return (node: AstNode | KeyNode): NodeComments | undefined => {
    const start = node.span.start;
    const found = byStart.get(start);
    if (found === undefined) return undefined;
    const out: { before?: string; after?: string } = {};
    if (found.before !== undefined && !usedBefore.has(start)) {
      usedBefore.add(start);
      out.before = found.before;
    }
    const isValue = "kind" in node;
    if (isValue && found.after !== undefined && !usedAfter.has(start)) {
      usedAfter.add(start);
      out.after = found.after;
    }
    return out;
  };
}
