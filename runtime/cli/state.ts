import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { App } from "../app.ts";
import type { Env } from "../config/env.ts";
import { exportState, importState, parseStateDocument } from "../state/export.ts";
import { openStore } from "../state/open.ts";
import type { StateStore } from "../state/store.ts";
import { UsageError } from "./usage.ts";

/** Where `helr state` reads and writes; the process streams by default, buffers in tests. */
export interface StateIo {
  readonly env: Env;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The whole of standard input; undefined when it is a terminal (nothing piped in). */
  readonly stdin: () => Promise<string | undefined>;
}

/** Positional arguments after the subcommand, by subcommand. */
const ARITY: Readonly<Record<string, readonly string[]>> = {
  show: ["<source>"],
  reset: ["<source>"],
  set: ["<source>", "<key>", "<value>"],
  export: [],
  import: [],
};

/**
 * `helr state show|reset|set|export|import`: inspect and repair stored positions. Output
 * matches the Rust Helr's (`<source> (no state)`, `  key: value`, `reset state for source
 * "<source>"`, `set <source> <key> = "<value>"`, pretty JSON). Opens only the state store:
 * no source secret is needed.
 */
export async function stateCommand(
  app: App,
  args: readonly string[],
  io: StateIo = processIo(),
): Promise<number> {
  const { sub, operands, statePath, file } = parseStateArgs(args);
  if (sub !== "import" && file !== undefined) throw new UsageError("--file is only for `state import`");
  if (sub === "set") requireKnown(app, operands[0] as string);
  // Read and check the input before opening the store, so a bad file never touches state.
  const document =
    sub === "import" ? parseStateDocument(await readInput(file, io), file ?? "stdin") : undefined;
  const store = await openStore(app, { statePath, env: io.env });
  try {
    if (sub !== "set")
      warnUnknown(app, sub === "import" ? Object.keys(document ?? {}) : operands.slice(0, 1), io);
    if (sub === "show") io.stdout(await show(store, operands[0] as string));
    if (sub === "reset") io.stdout(await reset(store, operands[0] as string));
    if (sub === "set") io.stdout(await set(store, operands as [string, string, string]));
    if (sub === "export") io.stdout(`${JSON.stringify(await exportState(store), null, 2)}\n`);
    if (sub === "import" && document) {
      const { sources, keys } = await importState(store, document);
      io.stdout(`imported ${keys} key(s) for ${sources} source(s)\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

function parseStateArgs(args: readonly string[]): {
  sub: string;
  operands: string[];
  statePath: string | undefined;
  file: string | undefined;
} {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [sub, ...operands] = parsed.positionals;
  const expected = sub === undefined ? undefined : ARITY[sub];
  if (sub === undefined || expected === undefined) {
    const what = sub === undefined ? "needs a subcommand" : `has no subcommand "${sub}"`;
    throw new UsageError(`state ${what}; use one of: ${Object.keys(ARITY).join(", ")}`);
  }
  if (operands.length !== expected.length) {
    throw new UsageError(`usage: helr state ${[sub, ...expected].join(" ")}`);
  }
  return { sub, operands, statePath: parsed.values["state-path"], file: parsed.values.file };
}

const OPTIONS = {
  "state-path": { type: "string" },
  file: { type: "string" },
} as const;

async function show(store: StateStore, sourceId: string): Promise<string> {
  const entries = Object.entries(await store.read(sourceId));
  if (entries.length === 0) return `${sourceId} (no state)\n`;
  return `${sourceId}\n${entries.map(([key, value]) => `  ${key}: ${value}\n`).join("")}`;
}

async function reset(store: StateStore, sourceId: string): Promise<string> {
  await store.clear(sourceId);
  return `reset state for source ${JSON.stringify(sourceId)}\n`;
}

async function set(store: StateStore, [sourceId, key, value]: [string, string, string]): Promise<string> {
  await store.commit(sourceId, { [key]: value });
  return `set ${sourceId} ${key} = ${JSON.stringify(value)}\n`;
}

async function readInput(file: string | undefined, io: StateIo): Promise<string> {
  if (file !== undefined) {
    try {
      return await readFile(file, "utf8");
    } catch (error) {
      throw new Error(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  const text = await io.stdin();
  if (text === undefined)
    throw new UsageError("state import reads JSON from stdin (pipe it in) or --file FILE");
  return text;
}

/**
 * `set` writes a key only for a source of this bundle: a typo would otherwise create state that
 * nothing reads, and the real source would go on from where it was.
 */
function requireKnown(app: App, id: string): void {
  const known = app.sources.map((s) => s.spec.id);
  if (!known.includes(id)) {
    throw new UsageError(
      `state set: source ${JSON.stringify(id)} is not defined in this bundle; it has: ${known.join(", ")}`,
    );
  }
}

/**
 * Reading, resetting or importing the state of a source this bundle does not define is allowed
 * (a renamed source, a backup from another bundle), but worth a note.
 */
function warnUnknown(app: App, ids: readonly string[], io: StateIo): void {
  const known = new Set(app.sources.map((s) => s.spec.id));
  for (const id of ids) {
    if (!known.has(id)) io.stderr(`note: source ${JSON.stringify(id)} is not defined in this bundle\n`);
  }
}

function processIo(): StateIo {
  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: async () => {
      if (process.stdin.isTTY) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}
