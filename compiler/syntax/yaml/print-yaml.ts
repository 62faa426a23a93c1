/**
 * AST → YAML text (`helrc convert --to yaml`). Keys keep the AST's order, strings are quoted
 * only where YAML needs it (so `"1.2"` stays a string and `${VAR}` placeholders stay verbatim),
 * and long strings are never folded. Comments are not part of the AST, so none are written.
 */
import { Document, Lexer, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import type { AstNode } from "../../ast/nodes.ts";

/** Prints the AST as one YAML document; an empty config prints as an empty string. */
export function printYaml(root: AstNode | undefined): string {
  if (root === undefined) return "";
  const doc = new Document(null, { version: "1.2" });
  doc.contents = yamlNode(root);
  return doc.toString({ lineWidth: 0 });
}

function yamlNode(node: AstNode): Scalar | YAMLMap | YAMLSeq {
  if (node.kind === "scalar") return new Scalar(node.value);
  if (node.kind === "seq") {
    const seq = new YAMLSeq();
    for (const item of node.items) seq.items.push(yamlNode(item));
    return seq;
  }
  const map = new YAMLMap();
  for (const entry of node.entries)
    map.items.push(new Pair(new Scalar(entry.key.value), yamlNode(entry.value)));
  return map;
}

/** True when YAML text has at least one comment (which an AST, and so a conversion, drops). */
export function yamlHasComments(text: string): boolean {
  for (const token of new Lexer().lex(text)) if (token.startsWith("#")) return true;
  return false;
}
