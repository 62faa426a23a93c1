/**
 * The generated `index.ts`: the global spec and the App that the bundle entry hands to main().
 */
import type { GlobalSpec } from "../../runtime/spec.ts";
import { ident, lit } from "./literal.ts";
import { type LocalImport, printModule } from "./module-printer.ts";
import { type RuntimeValue, STORE_FACTORIES } from "./runtime-imports.ts";
import { generatedHeader } from "./source-module.ts";

/** Beyond this many sources the `sources` array prints one per line. */
const INLINE_SOURCES = 3;

/**
 * Prints the index module.
 *
 * @param files the per-source module file names, in the order sources run.
 * @param version helrc version: printed in the header and embedded as `app.version`.
 */
export function emitIndexModule(global: GlobalSpec, files: readonly string[], version: string): string {
  const imports: LocalImport[] = files.map((file, i) => ({
    file,
    name: "source",
    alias: ident(`source${i}`),
  }));
  const stores = storeEntries(global);
  return printModule({
    header: generatedHeader(version),
    values: stores.map(([, factory]) => factory),
    types: ["App", "GlobalSpec"],
    localImports: imports,
    consts: [
      { name: "global", initializer: `${lit(global)} as const satisfies GlobalSpec` },
      { name: "app", type: "App", initializer: appInitializer(version, imports, stores) },
    ],
  });
}

/** memoryStore always (tests and `validate` use it); the configured backend's factory besides. */
function storeEntries(global: GlobalSpec): [string, RuntimeValue][] {
  const entries: [string, RuntimeValue][] = [["memory", STORE_FACTORIES.memory]];
  const backend = global.state.backend;
  if (backend !== "memory") entries.push([backend, STORE_FACTORIES[backend]]);
  return entries;
}

function appInitializer(
  version: string,
  imports: readonly LocalImport[],
  stores: [string, RuntimeValue][],
): string {
  const aliases = imports.map((local) => local.alias);
  const sources =
    aliases.length > INLINE_SOURCES
      ? `[\n${aliases.map((a) => `  ${a},\n`).join("")}]`
      : `[${aliases.join(", ")}]`;
  const storeMap = stores.map(([key, factory]) => `${key}: ${factory}`).join(", ");
  return `{\n  version: ${lit(version)},\n  global,\n  sources: ${sources},\n  stores: { ${storeMap} },\n}`;
}
