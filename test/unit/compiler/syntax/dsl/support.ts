/** Helpers shared by the `.helr` unit tests. */
import type { AstNode, MapNode } from "../../../../../compiler/ast/nodes.ts";
import { toPlainValue } from "../../../../../compiler/ast/to-value.ts";
import { renderText } from "../../../../../compiler/diagnostics/render.ts";
import { SourceFile } from "../../../../../compiler/source/source-file.ts";
import { parseDsl } from "../../../../../compiler/syntax/dsl/parse-dsl.ts";

/** Parses `.helr` text as `t.helr`. */
export function parse(text: string) {
  const file = new SourceFile("t.helr", text);
  return { file, ...parseDsl(file) };
}

/** The plain value of a `.helr` text that must parse without diagnostics. */
export function configOf(text: string): unknown {
  const { file, document, diagnostics } = parse(text);
  if (diagnostics.length > 0) throw new Error(renderText(diagnostics, [file]));
  return document.root === undefined ? undefined : toPlainValue(document.root);
}

/** The rendered diagnostics of a `.helr` text. */
export function errorsOf(text: string): string {
  const { file, diagnostics } = parse(text);
  return renderText(diagnostics, [file]);
}

/** Codes and `line:col` of each diagnostic, e.g. `HLR1102 2:5`. */
export function positionsOf(text: string): string[] {
  const { file, diagnostics } = parse(text);
  return diagnostics.map((d) => {
    const { line, column } = file.positionAt(d.span.start);
    return `${d.code} ${line}:${column}`;
  });
}

/** The text a node's span covers. */
export function textOf(text: string, node: { span: { start: number; end: number } }): string {
  return text.slice(node.span.start, node.span.end);
}

/** The map under a chain of keys. */
export function mapAt(node: AstNode | undefined, ...keys: string[]): MapNode {
  let current = node;
  for (const key of keys) {
    if (current?.kind !== "map") throw new Error(`not a map at ${key}`);
    current = current.entries.find((e) => e.key.value === key)?.value;
  }
  if (current?.kind !== "map") throw new Error(`not a map at ${keys.join(".")}`);
  return current;
}
