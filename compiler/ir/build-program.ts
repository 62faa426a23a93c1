import type { GlobalSpec, SourceSpec } from "../../runtime/spec.ts";
import type { ConfigDocument } from "../ast/nodes.ts";
import { toPlainValue } from "../ast/to-value.ts";
import type { RawConfigFile } from "../config-shape/types.ts";
import { buildGlobal } from "./build-global.ts";
import { buildSource } from "./build-source.ts";

/** The whole resolved program: what emit turns into modules. */
export interface ProgramIR {
  global: GlobalSpec;
  sources: SourceSpec[];
}

/**
 * Builds the IR from documents that passed every check (the caller guarantees it). Sources
 * keep the order of the files, then their order within each file.
 */
export function buildProgram(documents: readonly ConfigDocument[]): ProgramIR {
  const files = documents.map((document) => ({
    file: document.file,
    raw: (document.root === undefined ? {} : toPlainValue(document.root)) as RawConfigFile,
  }));
  const rawGlobal = files.find((f) => f.raw.global !== undefined)?.raw.global;
  const sources = files.flatMap(({ file, raw }) =>
    Object.entries(raw.sources ?? {}).map(([id, source]) => buildSource(source, { id, file }, rawGlobal)),
  );
  return { global: buildGlobal(rawGlobal), sources };
}
