import { resolveRef, type SchemaNode } from "../config-shape/config.ts";
import { closestMatch } from "./suggest.ts";

/** A hint for an unknown key, and the key it suggests (to silence a matching "missing"). */
export interface KeyHint {
  readonly hint?: string;
  readonly suggestion?: string;
}

/** Keys allowed by an object schema, across the branches of a tagged union. */
export function allowedKeys(schema: SchemaNode): string[] {
  const node = resolveRef(schema);
  const own = Object.keys(node.properties ?? {});
  const branches = (node.oneOf ?? []).flatMap((branch) => Object.keys(resolveRef(branch).properties ?? {}));
  return [...new Set([...own, ...branches])];
}

/**
 * Explains an unknown key: an inline secret (`token:` where `token_env` exists), a typo of an
 * allowed key, or a key that belongs one level down (`max_pages` → `pagination:`).
 */
export function unknownKeyHint(key: string, parent: SchemaNode): KeyHint {
  const allowed = allowedKeys(parent);
  if (allowed.includes(`${key}_env`)) {
    return {
      hint: `secrets are never written inline: set \`${key}_env\` to the name of an environment variable, or \`${key}_file\` to a file path`,
    };
  }
  const match = closestMatch(key, allowed);
  if (match !== undefined) return { hint: `did you mean \`${match}\`?`, suggestion: match };
  const home = childThatAllows(key, parent);
  if (home !== undefined) return { hint: `\`${key}\` belongs under \`${home}:\`` };
  return {};
}

function childThatAllows(key: string, parent: SchemaNode): string | undefined {
  const properties = resolveRef(parent).properties ?? {};
  for (const [name, child] of Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const node = resolveRef(child);
    if (node.type !== "object" || (node.additionalProperties !== false && node.oneOf === undefined)) continue;
    if (allowedKeys(node).includes(key)) return name;
  }
  return undefined;
}
