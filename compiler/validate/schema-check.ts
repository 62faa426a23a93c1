import { Ajv, type ValidateFunction } from "ajv";
import type { ConfigDocument } from "../ast/nodes.ts";
import { toPlainValue } from "../ast/to-value.ts";
import { CONFIG_SCHEMA } from "../config-shape/config.ts";
import { mapSchemaErrors, type SchemaErrors } from "./schema-errors.ts";

let compiled: ValidateFunction | undefined;

/** Compiles the schema once per process; strict mode turns schema mistakes into bugs early. */
function validator(): ValidateFunction {
  compiled ??= new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    discriminator: true,
    verbose: true,
    strictNumbers: true,
  }).compile(CONFIG_SCHEMA);
  return compiled;
}

/**
 * Checks one parsed file against {@link CONFIG_SCHEMA}. Returns one diagnostic per problem
 * and the pointers of the values with problems, so semantic checks can skip them.
 */
export function checkSchema(document: ConfigDocument): SchemaErrors {
  if (document.root === undefined) return { diagnostics: [], paths: [] };
  const validate = validator();
  if (validate(toPlainValue(document.root))) return { diagnostics: [], paths: [] };
  return mapSchemaErrors(validate.errors ?? [], document.root);
}
