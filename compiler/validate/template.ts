/**
 * The placeholder syntax of template strings, mirrored from runtime/config/env.ts:
 * `${NAME}`, `${NAME:-default}`, and `$$` for a literal `$`. The runtime keeps anything
 * else literally; the compiler reports it, because it is almost always a typo.
 */

/** A problem inside one string, as an offset range relative to the string. */
export interface TemplateProblem {
  readonly kind: "malformed" | "bare";
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  readonly hint: string;
}

/** A well-formed `${…}` occurrence. */
export interface Placeholder {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
}

/** Everything found in one string. */
export interface TemplateScan {
  readonly placeholders: Placeholder[];
  readonly problems: TemplateProblem[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Finds placeholders and malformed `${` / bare `$NAME` sequences in one string. */
export function scanTemplate(text: string): TemplateScan {
  const scan: TemplateScan = { placeholders: [], problems: [] };
  let i = text.indexOf("$");
  while (i !== -1) {
    const next = text[i + 1];
    let resume = i + 1;
    if (next === "$") resume = i + 2;
    else if (next === "{") resume = scanBraced(text, i, scan);
    else bareName(text, i, scan);
    i = text.indexOf("$", resume);
  }
  return scan;
}

/** Scans `${…}` starting at `start`; returns where scanning resumes. */
function scanBraced(text: string, start: number, scan: TemplateScan): number {
  const close = text.indexOf("}", start + 2);
  const inner = text.slice(start + 2, close === -1 ? text.length : close);
  const name = NAME.exec(inner)?.[0];
  const nameThenJunk =
    name !== undefined && inner.length > name.length && !inner.startsWith(":", name.length);
  if (close === -1 || nameThenJunk) return unclosed(text, start, name, scan);
  const length = close + 1 - start;
  const problem = closedProblem(inner, name, text.slice(start, close + 1));
  if (problem === undefined) scan.placeholders.push({ name: name ?? "", offset: start, length });
  else scan.problems.push({ kind: "malformed", offset: start, length, ...problem });
  return close + 1;
}

/** What is wrong with a closed `${inner}`, or undefined when it is a valid placeholder. */
function closedProblem(
  inner: string,
  name: string | undefined,
  whole: string,
): { message: string; hint: string } | undefined {
  if (name === undefined) {
    return {
      message: inner === "" ? "empty placeholder `${}`" : `invalid variable name in \`${whole}\``,
      hint: "write `${NAME}` with a name of letters, digits and `_` (not starting with a digit), or `$${` for a literal `${`",
    };
  }
  if (inner.length === name.length) return undefined;
  if (!inner.startsWith(":-", name.length)) {
    return {
      message: `unsupported placeholder form \`${whole}\``,
      hint: `only \`\${${name}}\` and \`\${${name}:-default}\` are supported`,
    };
  }
  if (inner.includes("${", name.length)) {
    return {
      message: `nested placeholder in the default of \`${whole}\``,
      hint: "a default is literal text; placeholders cannot be nested",
    };
  }
  return undefined;
}

function unclosed(text: string, start: number, name: string | undefined, scan: TemplateScan): number {
  const length = name === undefined ? text.length - start : 2 + name.length;
  const shown = text.slice(start, start + length);
  const hint =
    name === undefined
      ? "close it with `}`, or write `$${` for a literal `${`"
      : `add \`}\` after \`${name}\``;
  scan.problems.push({
    kind: "malformed",
    offset: start,
    length,
    message: `unclosed placeholder \`${shown}\``,
    hint,
  });
  return start + length;
}

function bareName(text: string, start: number, scan: TemplateScan): void {
  const name = NAME.exec(text.slice(start + 1))?.[0];
  if (name === undefined) return;
  scan.problems.push({
    kind: "bare",
    offset: start,
    length: 1 + name.length,
    message: `\`$${name}\` is kept literally; only \`\${${name}}\` reads the environment`,
    hint: `write \`\${${name}}\` to use the environment variable, or \`$$${name}\` for a literal \`$${name}\``,
  });
}
