/**
 * The compiler's front end (syntax, validation, IR) on a corpus directory, in-process: the
 * first call (schema compilation, a cold JIT) and the median of the next ones. Separates what
 * `helrc check` spends checking from what it spends starting. Prints one JSON line.
 *
 * Usage: node --import tsx bench/front-end-time.ts DIR
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "../compiler/cli/front-end.ts";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: node --import tsx bench/front-end-time.ts DIR");
const texts = readdirSync(dir)
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => ({ path: name, text: readFileSync(join(dir, name), "utf8") }));
const times: number[] = [];
let diagnostics = 0;
for (let i = 0; i < 6; i++) {
  const started = process.hrtime.bigint();
  diagnostics = analyze(texts).diagnostics.length;
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
const [first = 0, ...rest] = times;
const warm = rest.sort((a, b) => a - b)[rest.length >> 1] ?? 0;
process.stdout.write(
  `${JSON.stringify({ files: texts.length, diagnostics, firstMs: first, warmMs: warm })}\n`,
);
