/**
 * The key reference of docs/configuration.md, rendered from {@link CONFIG_SCHEMA}: every key,
 * its type, its default and its description, so the documentation cannot drift from the
 * validator. scripts/gen-config-doc.mjs writes it between markers; a test checks it is current.
 */
import { CONFIG_SCHEMA, resolveRef, type SchemaNode } from "../config-shape/config.ts";

export const BEGIN_MARKER = "<!-- BEGIN GENERATED KEY REFERENCE (scripts/gen-config-doc.mjs) -->";
export const END_MARKER = "<!-- END GENERATED KEY REFERENCE -->";

interface Row {
  readonly key: string;
  readonly type: string;
  readonly fallback: string;
  readonly description: string;
}

/** The generated section, markers included. */
export function renderKeyReference(): string {
  const definitions = CONFIG_SCHEMA.definitions;
  const sections: string[] = [
    table("Global keys (`global:`)", rows(definitions.global, "")),
    table(
      "Source keys (`sources.<id>:`)",
      rows(definitions.source, "", ["auth", "pagination", "resilience"]),
    ),
    ...branches(definitions.auth, "type", "auth"),
    ...branches(definitions.pagination, "strategy", "pagination"),
    table("Resilience (`resilience:`)", rows(definitions.resilience, "resilience.")),
  ];
  return `${BEGIN_MARKER}\n${sections.join("\n")}${END_MARKER}\n`;
}

/** Replaces the generated section of a document (markers included). */
export function replaceKeyReference(document: string): string {
  const start = document.indexOf(BEGIN_MARKER);
  const end = document.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error("the document has no generated key reference markers");
  return document.slice(0, start) + renderKeyReference() + document.slice(end + END_MARKER.length + 1);
}

function branches(node: SchemaNode | undefined, tag: string, prefix: string): string[] {
  return (node?.oneOf ?? []).map((branch) => {
    const value = branch.properties?.[tag]?.const ?? "?";
    const heading = `\`${prefix}\` with \`${tag}: ${value}\`${branch.description ? ` — ${branch.description}` : ""}`;
    return table(heading, rows(branch, `${prefix}.`, [tag]));
  });
}

/** Rows for an object's keys, nested objects flattened into dotted keys. */
function rows(node: SchemaNode | undefined, prefix: string, skip: readonly string[] = []): Row[] {
  const schema = node === undefined ? {} : resolveRef(node);
  const out: Row[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    if (skip.includes(name)) continue;
    const resolved = resolveRef(child);
    const key = `${prefix}${name}`;
    const nested =
      resolved.type === "object" && resolved.properties !== undefined && resolved.oneOf === undefined;
    if (nested) {
      const required = resolved.required?.length
        ? ` Requires ${resolved.required.map((r) => `\`${r}\``).join(", ")}.`
        : "";
      out.push({
        key,
        type: "map",
        fallback: "—",
        description: `${resolved.description ?? ""}${required}`.trim(),
      });
      out.push(...rows(resolved, `${key}.`));
    } else {
      out.push({
        key,
        type: typeOf(child),
        fallback: showDefault(resolved.default),
        description: resolved.description ?? "",
      });
    }
  }
  return out;
}

function typeOf(node: SchemaNode): string {
  if (node.$ref === "#/definitions/envName") return "env var name";
  if (node.$ref === "#/definitions/filePath") return "file path";
  const schema = resolveRef(node);
  if (schema.enum !== undefined) return schema.enum.map((v) => `\`${v}\``).join(" \\| ");
  if (schema.type === "array")
    return `list of ${typeOf(schema.items ?? {})}s`.replace("list of strings", "list of strings");
  if (schema.type === "object") return "map";
  const base = Array.isArray(schema.type) ? schema.type.join(" or ") : String(schema.type ?? "any JSON");
  return base + range(schema);
}

function range(schema: SchemaNode): string {
  const low =
    schema.minimum ?? (schema.exclusiveMinimum === undefined ? undefined : `>${schema.exclusiveMinimum}`);
  if (low === undefined || Math.abs(Number(low)) > 1e9) return "";
  if (schema.maximum !== undefined) return ` ${low}–${schema.maximum}`;
  return typeof low === "string" ? ` ${low}` : ` ≥ ${low}`;
}

function showDefault(value: unknown): string {
  if (value === undefined) return "—";
  return `\`${Array.isArray(value) ? value.join(", ") : String(value)}\``;
}

function table(heading: string, entries: readonly Row[]): string {
  const lines = entries.map((r) => `| \`${r.key}\` | ${r.type} | ${r.fallback} | ${cell(r.description)} |`);
  return `### ${heading}\n\n| Key | Type | Default | Description |\n|---|---|---|---|\n${lines.join("\n")}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
