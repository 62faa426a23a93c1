import type { ErrorObject } from "ajv";
import type { AstNode } from "../ast/nodes.ts";
import { parsePointer, resolvePointer } from "../ast/pointer.ts";
import type { SchemaNode } from "../config-shape/schema-node.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import {
  badForm,
  badSize,
  badValue,
  type ErrorSite,
  type MappedError,
  missingKey,
  otherProblem,
  outOfRange,
  unknownKey,
  wrongType,
} from "./schema-messages.ts";
import { closestMatch, listValues } from "./suggest.ts";

/** Words for the tag of each tagged union, used in "unknown auth type `x`". */
const TAG_SUBJECTS: Readonly<Record<string, string>> = { type: "auth type", strategy: "pagination strategy" };

/** Schema diagnostics plus the pointers they concern (to skip later checks there). */
export interface SchemaErrors {
  readonly diagnostics: Diagnostic[];
  readonly paths: (readonly string[])[];
}

/**
 * Turns ajv errors into one diagnostic per problem, at the node the problem is about:
 * unknown keys at the key, missing keys at the parent's key, everything else at the value.
 * Cascades are dropped: a wrong type hides other complaints about the same value, and a
 * "missing `url`" is dropped when an unknown key next to it is the misspelt `url`.
 */
export function mapSchemaErrors(errors: readonly ErrorObject[], root: AstNode): SchemaErrors {
  const mapped = dropShadowed(errors).map((error) => mapError(error, root));
  const kept = mapped.filter((m) => !explainedByTypo(m, mapped));
  return { diagnostics: kept.map((m) => m.diagnostic), paths: kept.map((m) => m.path) };
}

function dropShadowed(errors: readonly ErrorObject[]): ErrorObject[] {
  const subjects = (e: ErrorObject) => `${e.instancePath}\0${e.propertyName ?? ""}`;
  const typed = new Set(errors.filter((e) => e.keyword === "type").map(subjects));
  return errors.filter((e) => {
    if (e.keyword === "propertyNames") return false;
    return e.keyword === "type" || !typed.has(subjects(e));
  });
}

function explainedByTypo(candidate: MappedError, all: readonly MappedError[]): boolean {
  if (candidate.missing === undefined) return false;
  const path = JSON.stringify(candidate.path);
  return all.some((m) => m.suggestion === candidate.missing && JSON.stringify(m.path) === path);
}

function mapError(error: ErrorObject, root: AstNode): MappedError {
  const path = parsePointer(error.instancePath);
  const target = resolvePointer(root, path);
  if (target === undefined) throw new Error(`schema error at unknown path ${error.instancePath}`);
  const site: ErrorSite = { error, path, target };
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return unknownAt(site, String(params.additionalProperty), root);
    case "required":
      return missingKey(site, String(params.missingProperty));
    case "type":
      return wrongType(site, params.type as string | string[]);
    case "enum":
      return badValue(site, params.allowedValues as (string | number)[]);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return outOfRange(site, String(params.comparison), Number(params.limit));
    case "minLength":
    case "maxLength":
    case "minItems":
      return error.propertyName === undefined
        ? badSize(site, error.keyword, Number(params.limit))
        : keyForm(site, root);
    case "pattern":
      return error.propertyName === undefined ? valueForm(site, String(params.pattern)) : keyForm(site, root);
    case "discriminator":
      return taggedUnion(site, params, root);
    default:
      return otherProblem(site);
  }
}

function unknownAt(site: ErrorSite, key: string, root: AstNode): MappedError {
  const keyTarget = resolvePointer(root, [...site.path, key]);
  return unknownKey(site, key, keyTarget?.key?.span ?? site.target.node.span);
}

function valueForm(site: ErrorSite, pattern: string): MappedError {
  const node = site.target.node;
  return badForm(site, pattern, { text: node.kind === "scalar" ? String(node.value) : "", span: node.span });
}

/** A map key failed `propertyNames` (source id, header name): point at the key. */
function keyForm(site: ErrorSite, root: AstNode): MappedError {
  const name = site.error.propertyName ?? "";
  const keySpan = resolvePointer(root, [...site.path, name])?.key?.span ?? site.target.node.span;
  const keySite: ErrorSite = { ...site, path: [...site.path, name] };
  const params = site.error.params as Record<string, unknown>;
  if (site.error.keyword === "pattern")
    return badForm(keySite, String(params.pattern), { text: name, span: keySpan });
  const message = `\`${name.slice(0, 20)}...\` is longer than ${Number(params.limit)} characters`;
  return { diagnostic: diagnostic("HLR2006", keySpan, message), path: keySite.path };
}

/** `discriminator`: the tag (`type:` / `strategy:`) is missing, not a string, or unknown. */
function taggedUnion(site: ErrorSite, params: Record<string, unknown>, root: AstNode): MappedError {
  const tag = String(params.tag);
  const values = tagValues(site.error.parentSchema as SchemaNode, tag);
  const subject = TAG_SUBJECTS[tag] ?? `\`${tag}\``;
  const tagTarget = resolvePointer(root, [...site.path, tag]);
  if (tagTarget !== undefined) {
    const tagSite: ErrorSite = { ...site, path: [...site.path, tag], target: tagTarget };
    const isString = tagTarget.node.kind === "scalar" && typeof tagTarget.node.value === "string";
    return isString ? badValue(tagSite, values, subject) : wrongType(tagSite, "string");
  }
  const node = site.target.node;
  const keys = node.kind === "map" ? node.entries.map((e) => e.key.value) : [];
  const typo = keys.find((key) => closestMatch(key, [tag]) === tag);
  if (typo !== undefined) return unknownAt(site, typo, root);
  return missingKey(site, tag, `set \`${tag}\` to one of ${listValues(values)}`);
}

function tagValues(schema: SchemaNode, tag: string): string[] {
  return (schema.oneOf ?? []).flatMap((branch) => {
    const value = branch.properties?.[tag]?.const;
    return value === undefined ? [] : [value];
  });
}
