/**
 * Benchmark options: flags (`--events=20000`) win over environment variables
 * (`HELR_BENCH_EVENTS=20000`), which win over the defaults. `--quick` switches to small sizes
 * for a run of about a minute.
 */

const SECTIONS = [
  "throughput",
  "big",
  "idle",
  "cold",
  "compiler",
  "model",
  "sinks",
  "metrics",
  "backpressure",
  "hooks",
];

/** Sections run when `--only` is not given (`model` takes a while: ask for it). */
const DEFAULT_SECTIONS = ["throughput", "big", "idle", "cold", "compiler", "backpressure"];

const DEFAULTS = {
  events: 200_000,
  pageSize: 1000,
  eventBytes: 700,
  runs: 3,
  bigMb: 200,
  idleSources: 500,
  idleSecs: 20,
  corpusSources: 200,
  coldRuns: 10,
  compilerRuns: 3,
  modelEvents: 100_000,
  modelRuns: 2,
};

const QUICK = {
  events: 20_000,
  bigMb: 20,
  idleSources: 100,
  idleSecs: 5,
  coldRuns: 10,
  compilerRuns: 1,
  modelEvents: 20_000,
  modelRuns: 1,
};

/** `events` ↔ `--events` ↔ `HELR_BENCH_EVENTS`; `pageSize` ↔ `--page-size` ↔ `HELR_BENCH_PAGE_SIZE`. */
const flagName = (key) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (key) => `HELR_BENCH_${flagName(key).replace(/-/g, "_").toUpperCase()}`;

export const USAGE = `usage: npm run bench -- [--quick] [--only=${SECTIONS.join(",")}] [--KEY=N ...]
numeric options (flag, or environment variable):
${Object.entries(DEFAULTS)
  .map(
    ([key, value]) =>
      `  --${flagName(key)}=N  ${envName(key)}  (default ${value}, quick ${QUICK[key] ?? value})`,
  )
  .join("\n")}
`;

/** Parses argv and env into the options of one benchmark run. */
export function parseOptions(argv, env) {
  const flags = new Map();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
    flags.set(match[1], match[2] ?? "true");
  }
  if (flags.has("help")) return { help: true };
  const quick = flags.get("quick") === "true" || env.HELR_BENCH_QUICK === "1";
  const options = { quick, ...DEFAULTS, ...(quick ? QUICK : {}) };
  for (const key of Object.keys(DEFAULTS)) {
    const text = flags.get(flagName(key)) ?? env[envName(key)];
    if (text === undefined) continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`--${flagName(key)} must be a number ≥ 0, got "${text}"`);
    options[key] = value;
    flags.delete(flagName(key));
  }
  flags.delete("quick");
  const only = (flags.get("only") ?? env.HELR_BENCH_ONLY ?? DEFAULT_SECTIONS.join(","))
    .split(",")
    .filter(Boolean);
  flags.delete("only");
  for (const section of only)
    if (!SECTIONS.includes(section)) throw new Error(`unknown section "${section}"\n${USAGE}`);
  if (flags.size > 0) throw new Error(`unknown option --${[...flags.keys()][0]}\n${USAGE}`);
  return { ...options, sections: only };
}
