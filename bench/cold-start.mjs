/** The bundle's cold start: `node helr.js --version`, next to `node -e 0` (Node's own start-up). */
import { join } from "node:path";
import { backfillConfig, build, TMP, writeText } from "./bundle.mjs";
import { measure, median } from "./proc.mjs";
import { round } from "./throughput.mjs";

export async function coldStart(options, log, bundles = {}) {
  const dir = join(TMP, "throughput");
  const bundle =
    bundles.single ??
    (await build(writeText(join(dir, "helr.yaml"), backfillConfig()), join(dir, "helr.js")));
  const result = { runs: options.coldRuns };
  for (const [name, args] of [
    ["node", ["-e", "0"]],
    ["bundle", [bundle, "--version"]],
    ...(bundles.corpus ? [["corpus", [bundles.corpus, "--version"]]] : []),
  ]) {
    await measure(process.execPath, args); // warm the page cache
    const walls = [];
    const cpus = [];
    for (let i = 0; i < options.coldRuns; i++) {
      const run = await measure(process.execPath, args);
      if (run.code !== 0) throw new Error(`node ${args.join(" ")} failed:\n${run.stderr}`);
      walls.push(run.wallMs);
      cpus.push(run.cpuMs);
    }
    result[name] = {
      medianMs: round(median(walls)),
      minMs: round(Math.min(...walls)),
      cpuMs: round(median(cpus)),
    };
    log(
      `  ${name === "node" ? "node -e 0" : `${name} --version`}: median ${result[name].medianMs} ms (min ${result[name].minMs} ms, CPU ${result[name].cpuMs} ms)`,
    );
  }
  result.met = result.bundle.medianMs < 150;
  return result;
}
