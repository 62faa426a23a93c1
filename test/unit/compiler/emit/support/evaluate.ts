/**
 * Evaluates generated modules with `@helr/runtime` replaced by a stub that records what each
 * module passed, so tests can compare the evaluated data with the IR it came from.
 */
import { build, type Plugin } from "esbuild";
import {
  AUTH_FACTORIES,
  HOOKS_FACTORY,
  PAGINATION_FACTORIES,
  STORE_FACTORIES,
} from "../../../../../compiler/emit/runtime-imports.ts";

/** What the stub's defineSource returns: the spec and the factory names that were linked. */
export interface StubBoundSource {
  readonly spec: unknown;
  readonly parts: Readonly<Record<string, string>>;
}

const FACTORIES = [
  HOOKS_FACTORY,
  ...Object.values(AUTH_FACTORIES),
  ...Object.values(PAGINATION_FACTORIES),
  ...Object.values(STORE_FACTORIES),
];

/**
 * Every factory the emitter can link is exported as its own name, so a test sees which one
 * was linked, including factories the real runtime does not have yet.
 */
const RUNTIME_STUB = `
export const defineSource = (spec, parts) => ({ spec, parts });
${FACTORIES.map((name) => `export const ${name} = ${JSON.stringify(name)};`).join("\n")}
export const main = async () => {};
`;

const NAMESPACE = "emit-eval";

/**
 * Bundles all `modules` (file name → TS text) behind one entry and imports it.
 *
 * @returns file name → that module's exports.
 */
export async function evaluateModules(
  modules: ReadonlyMap<string, string>,
): Promise<Map<string, Record<string, unknown>>> {
  const names = [...modules.keys()];
  const entry = names.map((name, i) => `export * as m${i} from ${JSON.stringify(`./${name}`)};`).join("\n");
  const result = await build({
    entryPoints: ["entry"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    logLevel: "silent",
    plugins: [virtualModules(modules, entry)],
  });
  const code = result.outputFiles[0]?.text ?? "";
  const exports = (await import(
    `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`
  )) as Record<string, Record<string, unknown>>;
  return new Map(names.map((name, i) => [name, exports[`m${i}`] ?? {}]));
}

function virtualModules(modules: ReadonlyMap<string, string>, entry: string): Plugin {
  return {
    name: "emit-eval",
    setup(b) {
      b.onResolve({ filter: /^entry$/ }, () => ({ path: "entry", namespace: NAMESPACE }));
      b.onResolve({ filter: /^@helr\/runtime$/ }, () => ({ path: "runtime", namespace: NAMESPACE }));
      b.onResolve({ filter: /^\.\// }, (args) => ({ path: args.path.slice(2), namespace: NAMESPACE }));
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        if (args.path === "entry") return { contents: entry, loader: "js" };
        if (args.path === "runtime") return { contents: RUNTIME_STUB, loader: "js" };
        const text = modules.get(args.path);
        return text === undefined
          ? { errors: [{ text: `no module ${args.path}` }] }
          : { contents: text, loader: "ts" };
      });
    },
  };
}
