/**
 * Key paths of the config shape, written the same way for the shape itself and for a value read
 * through it: `sources.*.resilience.retries.jitter`, with `*` for a user-chosen key (a source
 * id) and the branch of a tagged union in brackets (`sources.*.auth[type=oauth2].scopes`).
 */
import { CONFIG_SCHEMA, resolveRef, type SchemaNode } from "../../../../compiler/config-shape/config.ts";
import { isPlanned } from "../../../../compiler/config-shape/kit.ts";
import { branchOf } from "../../../../compiler/config-shape/walk.ts";

/** `a.b[type=x].c` → `a.b.c`: the path as a user writes it (and as HLR3001 names it). */
export function plainPath(path: string): string {
  return path.replace(/\[[^\]]*\]/g, "");
}

/** Every key path of the shape; `sources` is the one map whose values have a shape. */
export function shapePaths(node: SchemaNode = CONFIG_SCHEMA, path = ""): string[] {
  const schema = resolveRef(node);
  const tag = schema.discriminator?.propertyName;
  if (tag !== undefined) {
    return (schema.oneOf ?? []).flatMap((branch) => {
      const value = resolveRef(branch).properties?.[tag]?.const;
      return keysOf(resolveRef(branch), `${path}[${tag}=${value}]`);
    });
  }
  const own = keysOf(schema, path);
  const values = schema.additionalProperties;
  return path === "sources" && typeof values === "object"
    ? [...own, ...shapePaths(values, `${path}.*`)]
    : own;
}

/** The outermost keys the shape marks `planned`, as plain paths (`global.metrics`). */
export function plannedPaths(node: SchemaNode = CONFIG_SCHEMA, path = ""): string[] {
  const schema = resolveRef(node);
  const children = [schema, ...(schema.oneOf ?? []).map(resolveRef)].flatMap((branch) =>
    Object.entries(branch.properties ?? {}).map(([key, child]) => ({ key, child })),
  );
  const values = schema.additionalProperties;
  if (path === "sources" && typeof values === "object") children.push({ key: "*", child: values });
  return [
    ...new Set(
      children.flatMap(({ key, child }) => {
        const childPath = path === "" ? key : `${path}.${key}`;
        return isPlanned(child) ? [childPath] : plannedPaths(child, childPath);
      }),
    ),
  ];
}

function keysOf(schema: SchemaNode, path: string): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    const childPath = path === "" ? key : `${path}.${key}`;
    return [childPath, ...shapePaths(child, childPath)];
  });
}

/**
 * Wraps a plain config value so that every property read of a key the shape names is recorded
 * in `reads` under its key path (whether or not the value has the key: reading it is what
 * counts). Nested maps are wrapped as they are read; lists and scalars are returned as they are.
 */
export function trackReads<T extends object>(value: T, reads: Set<string>): T {
  return track(value, CONFIG_SCHEMA, "", reads) as T;
}

function track(value: object, shape: SchemaNode, path: string, reads: Set<string>): object {
  const schema = resolveRef(shape);
  return new Proxy(value, {
    get(target, key, receiver) {
      const found: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return found;
      const fields = target as Readonly<Record<string, unknown>>;
      const branch = branchOf(schema, (tag) => fields[tag]);
      const tag = schema.discriminator?.propertyName;
      const here = tag === undefined ? path : `${path}[${tag}=${String(fields[tag])}]`;
      const named = branch?.properties?.[key];
      const values =
        typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
      const child = named ?? values;
      if (child === undefined) return found;
      const childPath = `${here === "" ? "" : `${here}.`}${named === undefined ? "*" : key}`;
      reads.add(childPath);
      const isMap = typeof found === "object" && found !== null && !Array.isArray(found);
      return isMap ? track(found, child, childPath, reads) : found;
    },
  });
}
