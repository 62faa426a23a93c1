/**
 * `helrc fmt` and `helrc convert` without the file system: text in, text or diagnostics out.
 */
import { isDeepStrictEqual } from "node:util";
import type { AstNode } from "../../ast/nodes.ts";
import { type Diagnostic, hasErrors } from "../../diagnostics/diagnostic.ts";
import { SourceFile } from "../../source/source-file.ts";
import { parseYaml } from "../yaml/parse-yaml.ts";
import { printYaml, yamlHasComments } from "../yaml/print-yaml.ts";
import { isDslPath, parseDsl } from "./parse-dsl.ts";
import { printHelr } from "./print.ts";

/** Text produced from a file, or the syntax diagnostics that prevented it. */
export interface TextResult {
  /** Absent when the input has syntax errors. */
  readonly text?: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly file: SourceFile;
  /** True when the input had comments that the output does not carry (convert only). */
  readonly droppedComments: boolean;
}

/**
 * The canonical form of a `.helr` file, comments and blank lines kept.
 *
 * @throws Error when the printed text would not read back as the same config (a helrc bug;
 *   checked so that `fmt --write` can never change what a file means).
 */
export function formatHelr(path: string, text: string): TextResult {
  const file = new SourceFile(path, text);
  const parsed = parseDsl(file);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics, file, droppedComments: false };
  const out = printHelr(parsed.document.root, { text, comments: parsed.comments });
  assertSameConfig(parsed.document.root, out);
  return { text: out, diagnostics: parsed.diagnostics, file, droppedComments: false };
}

/** Converts a config file (`.helr` by extension, YAML otherwise) to `.helr` or YAML text. */
export function convertConfig(path: string, text: string, to: "helr" | "yaml"): TextResult {
  const file = new SourceFile(path, text);
  const dsl = isDslPath(path) ? parseDsl(file) : undefined;
  const parsed = dsl ?? parseYaml(file);
  const hadComments = dsl === undefined ? yamlHasComments(text) : dsl.comments.length > 0;
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics, file, droppedComments: false };
  const root = parsed.document.root;
  const out = to === "helr" ? printHelr(root) : printYaml(root);
  if (to === "helr") assertSameConfig(root, out);
  return { text: out, diagnostics: parsed.diagnostics, file, droppedComments: hadComments };
}

function assertSameConfig(root: AstNode | undefined, printed: string): void {
  const back = parseDsl(new SourceFile("<printed>.helr", printed));
  if (hasErrors(back.diagnostics) || !isDeepStrictEqual(shape(back.document.root), shape(root)))
    throw new Error("the .helr printer produced text that reads back differently (a bug in helrc)");
}

/** Values and key order, without spans. */
function shape(node: AstNode | undefined): unknown {
  if (node === undefined) return undefined;
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(shape);
  return node.entries.map((entry) => [entry.key.value, shape(entry.value)]);
}
