/**
 * Extracts the source examples from the reference documents in /work/shared/seeds. Those
 * pages were scraped from HTML: indentation is gone and prose is sometimes glued onto the
 * last line of a block. We undo exactly that damage, nothing more:
 *  - a block ends at a line whose value has prose glued on (`page_delay_secs: 2GITHUB_ORG: …`
 *    or `phrase: "…"Events include …`); the glued prose is cut off;
 *  - indentation is rebuilt from the config schema: each key goes to the innermost open map
 *    that names it (or, failing that, the innermost free-form map such as `headers:`).
 */
import { CONFIG_SCHEMA, resolveRef, type SchemaNode } from "../../../../compiler/config-shape/config.ts";

export interface SeedBlock {
  /** Where the block starts: `file:line`. */
  readonly origin: string;
  /** The source id the block defines. */
  readonly id: string;
  /** A complete config file: the block, re-indented under `sources:`. */
  readonly yaml: string;
}

const ID_LINE = /^([a-z0-9][a-z0-9._-]*):\s*$/;
const YAML_LINE = /^(#.*|[A-Za-z0-9_.$-]+:(\s.*)?|-\s.*|)$/;
const GLUED_NUMBER = /^([A-Za-z0-9_.$-]+:\s+-?\d+(?:\.\d+)?)[A-Z]/;
const GLUED_QUOTED = /^([A-Za-z0-9_.$-]+:\s+"[^"]*")\S/;

/** Every block in a seed file that defines a full source (has a `url:`). */
export function extractSeedBlocks(fileName: string, text: string): SeedBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: SeedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const id = ID_LINE.exec(lines[i] ?? "")?.[1];
    if (id === undefined || !/^url:\s/.test(lines[i + 1] ?? "")) continue;
    const body = blockBody(lines, i + 1);
    blocks.push({ origin: `${fileName}:${i + 1}`, id, yaml: reindent(id, body) });
    i += body.length;
  }
  return blocks;
}

function blockBody(lines: readonly string[], start: number): string[] {
  const body: string[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = (lines[i] ?? "").trimEnd();
    const glued = GLUED_NUMBER.exec(line)?.[1] ?? GLUED_QUOTED.exec(line)?.[1];
    if (glued !== undefined) return [...body, glued];
    if (line.startsWith("```") || !YAML_LINE.test(line)) return body;
    body.push(line);
  }
  return body;
}

interface Frame {
  readonly schema: SchemaNode;
  readonly indent: number;
}

function reindent(id: string, body: readonly string[]): string {
  const sources = CONFIG_SCHEMA.properties?.sources?.additionalProperties as SchemaNode;
  const stack: Frame[] = [{ schema: resolveRef(sources), indent: 4 }];
  const out = ["sources:", `  ${id}:`];
  for (const line of body) {
    const key = /^([A-Za-z0-9_.$-]+):(\s|$)/.exec(line)?.[1];
    if (key === undefined) {
      out.push(`${" ".repeat(stack.at(-1)?.indent ?? 4)}${line}`);
      continue;
    }
    const depth = frameFor(stack, key);
    stack.length = depth + 1;
    const frame = stack[depth] as Frame;
    out.push(`${" ".repeat(frame.indent)}${line}`);
    const child = childSchema(frame.schema, key);
    if (/:\s*$/.test(line) && child !== undefined) stack.push({ schema: child, indent: frame.indent + 2 });
  }
  return `${out.join("\n")}\n`;
}

function frameFor(stack: readonly Frame[], key: string): number {
  for (let i = stack.length - 1; i >= 0; i--) if (namedKeys(stack[i]?.schema).includes(key)) return i;
  for (let i = stack.length - 1; i >= 0; i--)
    if (typeof stack[i]?.schema.additionalProperties === "object") return i;
  return stack.length - 1;
}

function namedKeys(schema: SchemaNode | undefined): string[] {
  if (schema === undefined) return [];
  const branches = (schema.oneOf ?? []).map(resolveRef);
  return [schema, ...branches].flatMap((s) => Object.keys(s.properties ?? {}));
}

function childSchema(schema: SchemaNode, key: string): SchemaNode | undefined {
  const own = schema.properties?.[key];
  if (own !== undefined) return resolveRef(own);
  for (const branch of schema.oneOf ?? []) {
    const found = resolveRef(branch).properties?.[key];
    if (found !== undefined) return resolveRef(found);
  }
  const open = schema.additionalProperties;
  return typeof open === "object" ? resolveRef(open) : undefined;
}
