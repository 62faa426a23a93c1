import type { ConfigDocument } from "../ast/nodes.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { checkAuth } from "./auth.ts";
import { checkCombinations } from "./combinations.ts";
import { checkGlobalRules } from "./global-rules.ts";
import { checkHeaders } from "./headers.ts";
import { checkLints } from "./lints.ts";
import { checkNotImplemented } from "./not-implemented.ts";
import { checkPlaceholders } from "./placeholders.ts";
import { checkSupport, checkUrl } from "./support.ts";
import { type ConfigUnit, configUnits, unitId, unitIdOf } from "./units.ts";
import { checkValues } from "./values.ts";

/** A semantic check: one family of rules over one unit (a source or the global block). */
export type UnitCheck = (unit: ConfigUnit) => Diagnostic[];

/** Every semantic check, in the order their diagnostics are produced (output is sorted anyway). */
const CHECKS: readonly UnitCheck[] = [
  checkSupport,
  checkAuth,
  checkUrl,
  checkCombinations,
  checkGlobalRules,
  checkValues,
  checkHeaders,
  checkPlaceholders,
  checkLints,
  checkNotImplemented,
];

/**
 * Runs the semantic checks on each unit of a schema-checked file, skipping units that had
 * schema errors: the checks may then assume the shapes the schema guarantees, and a user
 * never sees a semantic complaint that is just a consequence of a schema error.
 */
export function checkSemantics(
  document: ConfigDocument,
  schemaErrorPaths: readonly (readonly string[])[],
): Diagnostic[] {
  const dirty = new Set(schemaErrorPaths.map(unitIdOf));
  return configUnits(document)
    .filter((unit) => !dirty.has(unitId(unit)) && unit.node.kind === "map")
    .flatMap((unit) => CHECKS.flatMap((check) => check(unit)));
}
