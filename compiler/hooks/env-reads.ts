import { ts } from "ts-morph";
import type { SourceFile } from "../source/source-file.ts";
import { visit } from "./analyze.ts";
import { hookProblem } from "./problem.ts";
import type { HookProblem } from "./types.ts";

/** The environment variables a script reads, found in its syntax. */
export interface EnvReads {
  /** Literal names: `ctx.env.NAME`, `ctx.env["NAME"]`, `const { NAME } = ctx.env`. */
  readonly names: ReadonlyMap<string, ts.Node>;
  /** Uses whose names cannot be known: `ctx.env[key]`, `Object.keys(ctx.env)`, passing `ctx.env` on. */
  readonly dynamic: readonly ts.Node[];
}

/**
 * Collects the script's reads of `ctx.env`. The rule (docs/hooks.md): any `<expression>.env` is
 * the environment object, and so is a binding of it (`const env = ctx.env`, `function f({ env })`).
 * It may be read by a literal name, tested (`if (ctx.env)`, `ctx.env && …`, `typeof ctx.env`) or
 * defaulted (`(ctx.env || {}).NAME`); every other use lets names escape the compiler's view.
 */
export function collectEnvReads(tree: ts.SourceFile): EnvReads {
  const names = new Map<string, ts.Node>();
  const dynamic: ts.Node[] = [];
  const read = (name: string, node: ts.Node) => {
    if (!names.has(name)) names.set(name, node);
  };
  visit(tree, (node) => {
    if (isEnvMember(node)) classify(node, read, dynamic);
    else if (isEnvBinding(node)) bindEnv(node.name, read, dynamic);
  });
  return { names, dynamic };
}

/** Problems for the env rule: dynamic reads without a `hooks.env` list, literal reads outside it. */
export function envProblems(
  file: SourceFile,
  tree: ts.SourceFile,
  reads: EnvReads,
  listed: readonly string[] | undefined,
): HookProblem[] {
  const at = (node: ts.Node) => ({ start: node.getStart(tree), end: node.getEnd() });
  if (listed === undefined) {
    return reads.dynamic.map((node) =>
      hookProblem(
        file,
        "dynamic-env",
        at(node),
        "ctx.env is used in a way that hides which variables the script reads",
        "read each variable as `ctx.env.NAME`, or list the names the script may see in the source's `hooks.env`",
      ),
    );
  }
  const allowed = new Set(listed);
  return [...reads.names]
    .filter(([name]) => !allowed.has(name))
    .map(([name, node]) =>
      hookProblem(
        file,
        "env-not-listed",
        at(node),
        `the script reads ctx.env.${name}, which hooks.env does not list`,
        `add ${name} to hooks.env, or drop the read (it is always undefined)`,
      ),
    );
}

/** `x.env` or `x["env"]` (not `process.env`, which is reported as a missing global). */
function isEnvMember(node: ts.Node): node is ts.Expression {
  if (ts.isPropertyAccessExpression(node)) return node.name.text === "env" && !isProcess(node.expression);
  if (ts.isElementAccessExpression(node))
    return literalKey(node.argumentExpression) === "env" && !isProcess(node.expression);
  return false;
}

/** `{ env }` or `{ env: alias }` in a destructuring (a parameter `function f({ env })` included). */
function isEnvBinding(node: ts.Node): node is ts.BindingElement {
  return ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent) && bindingKey(node) === "env";
}

function isProcess(node: ts.Expression): boolean {
  return ts.isIdentifier(node) && node.text === "process";
}

type Read = (name: string, node: ts.Node) => void;

/** Decides what one use of the environment object does. */
function classify(use: ts.Expression, read: Read, dynamic: ts.Node[]): void {
  let node: ts.Node = use;
  while (ts.isParenthesizedExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  const keyed = keyedRead(node, parent);
  if (keyed !== undefined) {
    if (keyed.name === undefined) dynamic.push(parent);
    else read(keyed.name, keyed.at);
  } else if (ts.isVariableDeclaration(parent) && parent.initializer === node) {
    bindEnv(parent.name, read, dynamic);
  } else if (ts.isBinaryExpression(parent) && parent.left === node && isEmptyDefault(parent)) {
    classify(parent, read, dynamic);
  } else if (!isTest(node, parent)) {
    dynamic.push(use);
  }
}

/** `env.NAME`, `env["NAME"]`, `"NAME" in env`: the name read (undefined when computed). */
function keyedRead(node: ts.Node, parent: ts.Node): { name: string | undefined; at: ts.Node } | undefined {
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
    return { name: parent.name.text, at: parent.name };
  }
  if (ts.isElementAccessExpression(parent) && parent.expression === node) {
    return { name: literalKey(parent.argumentExpression), at: parent.argumentExpression };
  }
  const isIn = ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.InKeyword;
  if (isIn && parent.right === node) return { name: literalKey(parent.left), at: parent.left };
  return undefined;
}

/** `(ctx.env || {})` and `(ctx.env ?? {})`: still the environment object. */
function isEmptyDefault(binary: ts.BinaryExpression): boolean {
  const op = binary.operatorToken.kind;
  const isDefault = op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken;
  return isDefault && ts.isObjectLiteralExpression(binary.right) && binary.right.properties.length === 0;
}

/** Positions where only the truthiness of the object matters, so no name escapes. */
function isTest(node: ts.Node, parent: ts.Node): boolean {
  if (
    (ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) &&
    parent.expression === node
  )
    return true;
  if (ts.isConditionalExpression(parent) && parent.condition === node) return true;
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isTypeOfExpression(parent) || ts.isExpressionStatement(parent)) return true;
  if (!ts.isBinaryExpression(parent)) return false;
  const op = parent.operatorToken.kind;
  if (op === ts.SyntaxKind.AmpersandAmpersandToken) return parent.left === node;
  if (op === ts.SyntaxKind.EqualsToken) return parent.left === node;
  return [
    ts.SyntaxKind.EqualsEqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsToken,
  ].includes(op);
}

/** A binding of the environment object: destructured names are reads; an alias is followed. */
function bindEnv(name: ts.BindingName, read: Read, dynamic: ts.Node[]): void {
  if (ts.isObjectBindingPattern(name)) {
    for (const element of name.elements) {
      const key = bindingKey(element);
      if (element.dotDotDotToken || key === undefined) dynamic.push(element);
      else read(key, element);
    }
    return;
  }
  if (ts.isArrayBindingPattern(name)) dynamic.push(name);
  else for (const reference of referencesOf(name)) classify(reference, read, dynamic);
}

/** Uses of an alias in the function (or script) that declares it. */
function referencesOf(name: ts.Identifier): ts.Identifier[] {
  let scope: ts.Node = name;
  while (scope.parent && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  const found: ts.Identifier[] = [];
  visit(scope, (node) => {
    if (node === name || !ts.isIdentifier(node) || node.text !== name.text) return;
    const parent = node.parent;
    const isName =
      ("name" in parent && parent.name === node) ||
      ("propertyName" in parent && parent.propertyName === node);
    if (!isName || ts.isShorthandPropertyAssignment(parent)) found.push(node);
  });
  return found;
}

/** The property a binding element reads: `{ NAME }`, `{ NAME: alias }`, `{ "NAME": alias }`. */
function bindingKey(element: ts.BindingElement): string | undefined {
  const key = element.propertyName ?? element.name;
  if (ts.isIdentifier(key) || ts.isStringLiteral(key)) return key.text;
  if (ts.isComputedPropertyName(key)) return literalKey(key.expression);
  return undefined;
}

function literalKey(node: ts.Expression): string | undefined {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
}
