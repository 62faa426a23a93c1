/**
 * Emit stage: resolved program → generated TypeScript modules (file name → text).
 *
 * Pure: no fs, clock or env. The CLI writes the map to disk or hands it to the bundler.
 */
import type { GlobalSpec, SourceSpec } from "../../runtime/spec.ts";
import { assignFileNames, INDEX_FILE } from "./file-names.ts";
import { emitIndexModule } from "./index-module.ts";
import { emitSourceModule } from "./source-module.ts";

export { assignFileNames, fileStem, INDEX_FILE, SAFE_FILE_NAME } from "./file-names.ts";
export { emitIndexModule } from "./index-module.ts";
export { doc, ident, lit, litString } from "./literal.ts";
export { emitSourceModule, generatedHeader, sourceFactories } from "./source-module.ts";

/**
 * What emit needs from the front end: structurally the `ProgramIR` of compiler/pipeline.ts,
 * declared here so that emit does not depend on the stage that orders it.
 */
export interface EmitInput {
  readonly global: GlobalSpec;
  readonly sources: readonly SourceSpec[];
}

export { GENERATED_MARKER } from "./marker.ts";

/**
 * Emits one module per source plus `index.ts`.
 *
 * @param version helrc version for headers and `app.version`.
 * @returns file name → module text, sources in program order, then `index.ts`. Identical input
 *   gives identical bytes.
 * @throws Error when two sources share an id: the front end reports that as a diagnostic,
 *   so reaching here with duplicates is a bug.
 */
export function emitProgram(program: EmitInput, version: string): Map<string, string> {
  const ids = program.sources.map((spec) => spec.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new Error(`duplicate source id ${JSON.stringify(duplicate)}`);
  const names = assignFileNames(ids);
  const files = new Map<string, string>();
  for (const spec of program.sources) files.set(fileNameOf(names, spec.id), emitSourceModule(spec, version));
  files.set(INDEX_FILE, emitIndexModule(program.global, [...files.keys()], version));
  return files;
}

function fileNameOf(names: ReadonlyMap<string, string>, id: string): string {
  const name = names.get(id);
  if (name === undefined) throw new Error(`no file name assigned to source ${JSON.stringify(id)}`);
  return name;
}
