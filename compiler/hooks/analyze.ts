import { ts } from "ts-morph";
import { HOOK_NAMES, type HookName } from "../../runtime/hooks/types.ts";
import type { SourceFile } from "../source/source-file.ts";
import { closestMatch } from "../validate/suggest.ts";
import { hookProblem } from "./problem.ts";
import type { HookProblem } from "./types.ts";

/** What the compiler learns from a script's syntax tree. */
export interface HookShape {
  /** True when the script exports anything: then only its exports are hooks. */
  readonly hasExports: boolean;
  readonly hooks: readonly HookName[];
  readonly problems: readonly HookProblem[];
}

/** Node globals that scripts written for Node reach for; the sandbox has none of them. */
const NODE_GLOBALS = new Set([
  "require",
  "process",
  "module",
  "exports",
  "__dirname",
  "__filename",
  "Buffer",
]);

const HOOKS: ReadonlySet<string> = new Set(HOOK_NAMES);

/** Parses a script (JS or TS) with TypeScript's parser; no type checking, no file system. */
export function parseHook(file: SourceFile, language: "js" | "ts"): ts.SourceFile {
  const kind = language === "ts" ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  return ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, kind);
}

/** True when the script has an `export` (it is then wrapped and its exports are the hooks). */
export function hasExports(tree: ts.SourceFile): boolean {
  return tree.statements.some(
    (s) => ts.isExportDeclaration(s) || ts.isExportAssignment(s) || exportModifier(s) !== undefined,
  );
}

/** Which hooks the script defines, its module imports, and names that look like mistakes. */
export function analyzeHook(file: SourceFile, tree: ts.SourceFile, allowNetwork: boolean): HookShape {
  const exported = hasExports(tree);
  const problems: HookProblem[] = [];
  const hooks = new Set<HookName>();
  for (const { name, node, isExported } of topLevelNames(tree)) {
    const at = { start: node.getStart(tree), end: node.getEnd() };
    if (HOOKS.has(name)) {
      if (!exported || isExported) hooks.add(name as HookName);
      else {
        problems.push(
          hookProblem(
            file,
            "not-exported",
            at,
            `${name} is not exported, so it is not a hook`,
            `write \`export function ${name}\``,
          ),
        );
      }
      continue;
    }
    const near = closestMatch(name, HOOK_NAMES);
    if (near)
      problems.push(
        hookProblem(file, "misspelled-hook", at, `${name} is not a hook name`, `did you mean \`${near}\`?`),
      );
  }
  visit(tree, (node) => problems.push(...nodeProblems(file, tree, node, allowNetwork)));
  if (hooks.size === 0) {
    problems.push(
      hookProblem(
        file,
        "no-hooks",
        { start: 0, end: 0 },
        `the script defines none of the hooks ${HOOK_NAMES.join(", ")}`,
        exported ? "export them by name: `export function parseResponse(ctx, response) { … }`" : undefined,
      ),
    );
  }
  return { hasExports: exported, hooks: HOOK_NAMES.filter((h) => hooks.has(h)), problems };
}

interface TopLevelName {
  readonly name: string;
  readonly node: ts.Node;
  readonly isExported: boolean;
}

/** Function declarations, variables and `export { a as b }` names at the top level. */
function topLevelNames(tree: ts.SourceFile): TopLevelName[] {
  const names: TopLevelName[] = [];
  for (const statement of tree.statements) {
    const isExported = exportModifier(statement) !== undefined;
    if (ts.isFunctionDeclaration(statement) && statement.name) {
      names.push({ name: statement.name.text, node: statement.name, isExported });
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name))
          names.push({ name: declaration.name.text, node: declaration.name, isExported });
      }
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause) {
      if (ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          names.push({ name: element.name.text, node: element.name, isExported: !element.isTypeOnly });
        }
      }
    } else if (ts.isExpressionStatement(statement)) {
      const target = globalAssignment(statement.expression);
      if (target) names.push({ name: target.name.text, node: target.name, isExported: false });
    }
  }
  return names;
}

/** `globalThis.getAuth = …` or `this.getAuth = …` at the top level defines a global too. */
function globalAssignment(expression: ts.Expression): ts.PropertyAccessExpression | undefined {
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken)
    return undefined;
  const left = expression.left;
  if (!ts.isPropertyAccessExpression(left)) return undefined;
  const owner = left.expression;
  const isGlobal =
    owner.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(owner) && owner.text === "globalThis");
  return isGlobal ? left : undefined;
}

function nodeProblems(
  file: SourceFile,
  tree: ts.SourceFile,
  node: ts.Node,
  allowNetwork: boolean,
): HookProblem[] {
  const at = () => ({ start: node.getStart(tree), end: node.getEnd() });
  if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text) && isFreeReference(node)) {
    const hint = node.text === "process" ? "read environment variables as `ctx.env.NAME`" : undefined;
    return [
      hookProblem(file, "unavailable-global", at(), `${node.text} does not exist in the hook sandbox`, hint),
    ];
  }
  if (!allowNetwork && ts.isIdentifier(node) && node.text === "fetch" && isFreeReference(node)) {
    return [
      hookProblem(
        file,
        "fetch-without-network",
        at(),
        "fetch() does not exist unless global.hooks.allow_network is true",
        "set `allow_network: true` under `global.hooks` (and list extra hosts in the source's `hooks.allow_hosts`)",
      ),
    ];
  }
  return [];
}

/**
 * `import`, `export … from` and `import()` of modules: the sandbox has no module loader. Checked
 * before QuickJS parses the script, which would only say "expecting '('".
 */
export function importProblems(file: SourceFile, tree: ts.SourceFile): HookProblem[] {
  const problems: HookProblem[] = [];
  visit(tree, (node) => {
    const at = { start: node.getStart(tree), end: node.getEnd() };
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && !onlyTypes(node)) {
      const from = (node.moduleSpecifier as ts.StringLiteral).text;
      problems.push(
        hookProblem(
          file,
          "import",
          at,
          `hook scripts cannot import modules (${JSON.stringify(from)}): the sandbox has no module loader`,
          "inline what you need; for types only, write `import type`",
        ),
      );
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      problems.push(
        hookProblem(
          file,
          "import",
          at,
          "hook scripts cannot re-export from modules: the sandbox has no module loader",
        ),
      );
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      problems.push(
        hookProblem(file, "import", at, "import() is not available: the sandbox has no module loader"),
      );
    }
  });
  return problems;
}

/** `import { type A, type B } from "x"`: erased entirely. */
function onlyTypes(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause || clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

/** An identifier used as a value that no declaration in the script binds (a global). */
function isFreeReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent)) && parent.name === node)
    return false;
  if (ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent)) return false;
  if ("name" in parent && parent.name === node && !ts.isShorthandPropertyAssignment(parent)) return false;
  return !declaredAnywhere(node.getSourceFile(), node.text);
}

const declared = new WeakMap<ts.SourceFile, Set<string>>();

/** Every name the script declares somewhere (a coarse scope: enough to not flag a local `fetch`). */
function declaredAnywhere(tree: ts.SourceFile, name: string): boolean {
  let names = declared.get(tree);
  if (!names) {
    const found = new Set<string>();
    visit(tree, (node) => {
      const own = (node as { name?: ts.Node }).name;
      if (
        own &&
        ts.isIdentifier(own) &&
        (ts.isVariableDeclaration(node) ||
          ts.isFunctionDeclaration(node) ||
          ts.isParameter(node) ||
          ts.isBindingElement(node) ||
          ts.isClassDeclaration(node))
      )
        found.add(own.text);
    });
    names = found;
    declared.set(tree, found);
  }
  return names.has(name);
}

function exportModifier(statement: ts.Statement): ts.Modifier | undefined {
  return ts.canHaveModifiers(statement)
    ? ts.getModifiers(statement)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    : undefined;
}

/** Depth-first walk over every node. */
export function visit(node: ts.Node, each: (node: ts.Node) => void): void {
  each(node);
  ts.forEachChild(node, (child) => visit(child, each));
}
