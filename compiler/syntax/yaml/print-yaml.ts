/**
 * AST → YAML text (`helrc convert --to yaml`). Keys keep the AST's order, strings are quoted
 * only where YAML needs it (so `"1.2"` stays a string and `${VAR}` placeholders stay verbatim),
 * and long strings are never folded. Comments are not part of the AST; a caller that knows
 * where they were (the Flicker conversion) hands them back through {@link CommentLookup}.
 */
import { Document, Lexer, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import type { AstNode, KeyNode } from "../../ast/nodes.ts";

/** Comments to print with a node or key: on the lines before it, and after it on its line. */
export interface NodeComments {
  readonly before?: string;
  readonly after?: string;
}

/** Finds the comments that belong with an AST node or key (each returned at most once). */
export type CommentLookup = (node: AstNode | KeyNode) => NodeComments | undefined;

/** Prints the AST as one YAML document; an empty config prints as an empty string. */
export function printYaml(root: AstNode | undefined, comments?: CommentLookup): string {
  if (root === undefined) return "";
  const doc = new Document(null, { version: "1.2" });
  doc.contents = yamlNode(root, comments);
  return doc.toString({ lineWidth: 0 });
}

function yamlNode(node: AstNode, comments: CommentLookup | undefined): Scalar | YAMLMap | YAMLSeq {
  if (node.kind === "scalar") return annotate(new Scalar(node.value), node, comments);
  if (node.kind === "seq") {
    const seq = new YAMLSeq();
    for (const item of node.items) seq.items.push(yamlNode(item, comments));
    return seq;
  }
  const map = new YAMLMap();
  for (const entry of node.entries) {
    const key = annotate(new Scalar(entry.key.value), entry.key, comments);
    map.items.push(new Pair(key, yamlNode(entry.value, comments)));
  }
  return map;
}

/** Only keys and scalars carry comments: a map's or list's own comment prints out of place. */
function annotate(out: Scalar, node: AstNode | KeyNode, comments: CommentLookup | undefined): Scalar {
  const found = comments?.(node);
  if (found?.before !== undefined) out.commentBefore = found.before;
  if (found?.after !== undefined) out.comment = found.after;
  return out;
}

/** True when YAML text has at least one comment (which an AST, and so a conversion, drops). */
export function yamlHasComments(text: string): boolean {
  for (const token of new Lexer().lex(text)) if (token.startsWith("#")) return true;
  return false;
}
