/**
 * Assembles one generated module with ts-morph from already-encoded pieces.
 *
 * ts-morph's string fields are raw code, so this file accepts only: runtime symbols from the
 * closed list in runtime-imports.ts, file names matching SAFE_FILE_NAME, identifiers from
 * ident(), header text from doc(), and initializers built from lit() output plus those.
 */
import {
  IndentationText,
  NewLineKind,
  Project,
  QuoteKind,
  type SourceFile,
  VariableDeclarationKind,
} from "ts-morph";
import { SAFE_FILE_NAME } from "./file-names.ts";
import { RUNTIME_MODULE, type RuntimeType, type RuntimeValue } from "./runtime-imports.ts";

/** `import { source as <alias> } from "./<file>"` in the index module. */
export interface LocalImport {
  readonly file: string;
  readonly name: string;
  readonly alias: string;
}

/** `export const <name>[: <type>] = <initializer>;` */
export interface ExportedConst {
  readonly name: string;
  readonly type?: RuntimeType;
  readonly initializer: string;
}

/** Everything one generated module consists of. */
export interface ModuleParts {
  /** The header comment's text, already passed through doc() where it holds user text. */
  readonly header: string;
  readonly values: readonly RuntimeValue[];
  readonly types: readonly RuntimeType[];
  readonly localImports?: readonly LocalImport[];
  readonly consts: readonly ExportedConst[];
}

let project: Project | undefined;
/**
 * Each print gets a fresh scratch path: the formatter's language service caches scripts by
 * name and version, and a recreated file with an old name would be formatted from stale text.
 */
let scratchCount = 0;

/** Prints a module. Same parts → same bytes: no clock, paths or environment are consulted. */
export function printModule(parts: ModuleParts): string {
  const file = scratchProject().createSourceFile(`/helr-emit/module-${scratchCount++}.ts`, "");
  try {
    addRuntimeImport(file, parts);
    for (const local of parts.localImports ?? []) addLocalImport(file, local);
    for (const [i, decl] of parts.consts.entries()) addConst(file, decl, i > 0);
    // ts-morph hangs continuation lines of an initializer by one level; the formatter puts
    // lit()'s already-indented object literals back at statement indentation.
    file.formatText({ indentSize: 2, tabSize: 2, convertTabsToSpaces: true });
    return file.getFullText();
  } finally {
    file.forget();
  }
}

function scratchProject(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      quoteKind: QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
  return project;
}

function addRuntimeImport(file: SourceFile, parts: ModuleParts): void {
  const values = [...new Set(parts.values)].map((name) => ({ name }));
  const types = [...new Set(parts.types)].map((name) => ({ name, isTypeOnly: true }));
  // Biome's import order: by name, case-insensitively, `type` or not, so generated/ passes lint as is.
  const named = [...values, ...types].sort((a, b) => compareNames(a.name, b.name));
  file.addImportDeclaration({
    leadingTrivia: `// ${parts.header}\n`,
    moduleSpecifier: RUNTIME_MODULE,
    namedImports: named,
  });
}

function compareNames(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function addLocalImport(file: SourceFile, local: LocalImport): void {
  if (!SAFE_FILE_NAME.test(local.file))
    throw new Error(`unsafe module file name ${JSON.stringify(local.file)}`);
  file.addImportDeclaration({
    moduleSpecifier: `./${local.file}`,
    namedImports: [{ name: local.name, alias: local.alias }],
  });
}

function addConst(file: SourceFile, decl: ExportedConst, blankLineBefore: boolean): void {
  file.addVariableStatement({
    ...(blankLineBefore && { leadingTrivia: "\n" }),
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: decl.name, initializer: decl.initializer, ...(decl.type && { type: decl.type }) }],
  });
}
