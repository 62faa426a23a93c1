/**
 * A small GraphQL executor for the mocks: validates a parsed operation (graphql-query.ts) against a
 * schema table and answers exactly the fields it selects, as a GraphQL server does. Validation
 * collects every problem before anything runs, in graphql-js's wording; the root fields are
 * resolved by the caller, which gets its arguments with the variables filled in.
 */
import type { QueryField, QueryOperation, QueryValue } from "./graphql-query.ts";

/** A field of a schema type: its type name, whether it is a list, its arguments (name → scalar type). */
export interface SchemaField {
  readonly type: string;
  readonly list?: true;
  readonly args?: Readonly<Record<string, string>>;
}

/** Type name → field name → field. `Query` is the root; scalar names are listed in `scalars`. */
export interface Schema {
  readonly types: Readonly<Record<string, Readonly<Record<string, SchemaField>>>>;
  readonly scalars: ReadonlySet<string>;
}

/** One entry of a GraphQL `errors` array. */
export interface GraphqlError {
  readonly message: string;
  readonly path?: readonly string[];
  readonly extensions: { readonly code: string };
}

/** Problems that stop the operation before it runs: unknown fields and arguments, bad selections, variables. */
export function validateOperation(
  schema: Schema,
  operation: QueryOperation,
  variables: Readonly<Record<string, unknown>>,
): GraphqlError[] {
  const errors: GraphqlError[] = [];
  const problem = (message: string) =>
    errors.push({ message, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
  const visit = (fields: readonly QueryField[], typeName: string) => {
    const type = schema.types[typeName] ?? {};
    for (const field of fields) {
      if (field.name === "__typename") continue;
      const def = type[field.name];
      if (def === undefined) {
        problem(`Cannot query field "${field.name}" on type "${typeName}".`);
        continue;
      }
      for (const [arg, value] of field.args) {
        if (def.args?.[arg] === undefined)
          problem(`Unknown argument "${arg}" on field "${typeName}.${field.name}".`);
        if ("variable" in value && !operation.variables.has(value.variable))
          problem(
            `Variable "$${value.variable}" is not defined${operation.name ? ` by operation "${operation.name}"` : ""}.`,
          );
      }
      const scalar = schema.scalars.has(def.type);
      if (scalar && field.selections !== undefined)
        problem(`Field "${field.name}" must not have a selection since type "${def.type}" has no subfields.`);
      else if (!scalar && field.selections === undefined)
        problem(`Field "${field.name}" of type "${def.type}" must have a selection of subfields.`);
      else if (field.selections !== undefined) visit(field.selections, def.type);
    }
  };
  visit(operation.selections, "Query");
  for (const [name, definition] of operation.variables) {
    const value = variables[name];
    const base = definition.type.replace(/!$/, "");
    if (value === undefined || value === null) {
      if (definition.nonNull)
        errors.push(badInput(`Variable "$${name}" of required type "${definition.type}" was not provided.`));
    } else if (
      (base === "Int" && !Number.isInteger(value)) ||
      (base === "String" && typeof value !== "string")
    )
      errors.push(
        badInput(
          `Variable "$${name}" got invalid value ${JSON.stringify(value)}; ${base} cannot represent it.`,
        ),
      );
  }
  return errors;
}

/** A root field's arguments with variables replaced by their values (absent variables are left out). */
export function argumentsOf(
  field: QueryField,
  variables: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of field.args) {
    const resolved = resolveValue(value, variables);
    if (resolved !== undefined) out[name] = resolved;
  }
  return out;
}

function resolveValue(value: QueryValue, variables: Readonly<Record<string, unknown>>): unknown {
  return "variable" in value ? variables[value.variable] : value.literal;
}

/** `value` of type `typeName` cut down to the selected fields, under their response keys. */
export function project(
  schema: Schema,
  value: unknown,
  typeName: string,
  selections: readonly QueryField[] | undefined,
): unknown {
  if (value === null || value === undefined) return null;
  if (selections === undefined) return value;
  const type = schema.types[typeName] ?? {};
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of selections) {
    if (field.name === "__typename") {
      out[field.key] = typeName;
      continue;
    }
    const def = type[field.name];
    const raw = source[field.name];
    if (def === undefined) continue;
    out[field.key] =
      def.list && Array.isArray(raw)
        ? raw.map((item) => project(schema, item, def.type, field.selections))
        : project(schema, raw, def.type, field.selections);
  }
  return out;
}

/** An error in the arguments or variables (`BAD_USER_INPUT`), at `path` when given. */
export function badInput(message: string, path?: readonly string[]): GraphqlError {
  return { message, ...(path ? { path } : {}), extensions: { code: "BAD_USER_INPUT" } };
}
