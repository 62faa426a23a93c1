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

/** The plain content of one checked file, and the file's path as the user gave it. */
export interface RawFile {
  readonly file: string;
  readonly raw: RawConfigFile;
}

/**
 * Builds the IR from documents that passed every check (the caller guarantees it). Sources
 * keep the order of the files, then their order within each file.
 */
export function buildProgram(documents: readonly ConfigDocument[]): ProgramIR {
  return buildProgramFromRaw(
    documents.map((document) => ({
      file: document.file,
      raw: (document.root === undefined ? {} : toPlainValue(document.root)) as RawConfigFile,
    })),
  );
}

/** {@link buildProgram} over the files' plain content: every key the IR reads, it reads here. */
export function buildProgramFromRaw(files: readonly RawFile[]): ProgramIR {
  const rawGlobal = files.find((f) => f.raw.global !== undefined)?.raw.global;
  const sources = files.flatMap(({ file, raw }) =>
    Object.entries(raw.sources ?? {}).map(([id, source]) => buildSource(source, { id, file }, rawGlobal)),
  );
  return {
    global: buildGlobal(
      rawGlobal,
      sources.some((s) => s.hooks !== undefined),
    ),
    sources,
  };
}
