/**
 * Type-checks generated modules in memory with the repo's strict compiler options, against
 * the real runtime (`@helr/runtime` → runtime/index.ts).
 *
 * Parsed files from disk (lib, @types/node, runtime/) are cached across calls and each call
 * reuses the previous Program, so a property run can check a batch of modules per Program
 * in milliseconds after the first.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";

const REPO = fileURLToPath(new URL("../../../../../", import.meta.url));

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2023.d.ts"],
  types: ["node"],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  noImplicitReturns: true,
  allowImportingTsExtensions: true,
  isolatedModules: true,
  noEmit: true,
  skipLibCheck: true,
  baseUrl: REPO,
  paths: { "@helr/runtime": ["./runtime/index.ts"] },
};

const diskCache = new Map<string, ts.SourceFile>();
let previous: ts.Program | undefined;
let batch = 0;

/**
 * Checks `modules` (file name → text) as one directory of generated code.
 *
 * @returns tsc-style messages for diagnostics in those modules (empty when they type-check).
 */
export function typecheckModules(modules: ReadonlyMap<string, string>): string[] {
  // A fresh virtual directory per batch, so stale files of an earlier batch never resolve.
  const dir = `${REPO}.emit-typecheck/batch-${batch++}/`;
  const virtual = new Map([...modules].map(([name, text]) => [dir + name, text]));
  const host = createHost(virtual, dir);
  const rootNames = [...virtual.keys()];
  const program = ts.createProgram({
    rootNames,
    options: OPTIONS,
    host,
    ...(previous && { oldProgram: previous }),
  });
  previous = program;
  return rootNames.flatMap((file): string[] => {
    const source = program.getSourceFile(file);
    if (!source) return [`${file}: not part of the program`];
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    return diagnostics.map((d) => format(d, dir));
  });
}

function createHost(virtual: ReadonlyMap<string, string>, dir: string): ts.CompilerHost {
  const base = ts.createCompilerHost(OPTIONS, true);
  return {
    ...base,
    fileExists: (file) => virtual.has(file) || base.fileExists(file),
    readFile: (file) => virtual.get(file) ?? base.readFile(file),
    directoryExists: (path) =>
      dir.startsWith(`${path.replace(/\/$/, "")}/`) || (base.directoryExists?.(path) ?? true),
    getSourceFile: (file, languageVersionOrOptions) => {
      const text = virtual.get(file);
      if (text !== undefined) return ts.createSourceFile(file, text, languageVersionOrOptions, true);
      let cached = diskCache.get(file);
      if (!cached) {
        cached = base.getSourceFile(file, languageVersionOrOptions);
        if (cached) diskCache.set(file, cached);
      }
      return cached;
    },
  };
}

function format(diagnostic: ts.Diagnostic, dir: string): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  if (!diagnostic.file || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const name = diagnostic.file.fileName.replace(dir, "");
  return `${name}:${line + 1}:${character + 1} - TS${diagnostic.code}: ${message}`;
}
