import type { AstNode, ConfigDocument, KeyNode } from "../ast/nodes.ts";

/** A block checked as a whole: the `global:` block or one source. */
export interface ConfigUnit {
  readonly kind: "global" | "source";
  /** The source id; `global` for the global block. */
  readonly name: string;
  readonly file: string;
  readonly key: KeyNode;
  readonly node: AstNode;
  /** Pointer segments from the file root: `["global"]` or `["sources", id]`. */
  readonly path: readonly string[];
}

/** The global block and every source of one file, in source order. */
export function configUnits(document: ConfigDocument): ConfigUnit[] {
  const root = document.root;
  if (root?.kind !== "map") return [];
  const units: ConfigUnit[] = [];
  for (const entry of root.entries) {
    if (entry.key.value === "global") {
      units.push({
        kind: "global",
        name: "global",
        file: document.file,
        key: entry.key,
        node: entry.value,
        path: ["global"],
      });
    }
    if (entry.key.value === "sources" && entry.value.kind === "map") {
      for (const source of entry.value.entries) {
        const name = source.key.value;
        units.push({
          kind: "source",
          name,
          file: document.file,
          key: source.key,
          node: source.value,
          path: ["sources", name],
        });
      }
    }
  }
  return units;
}

/** Identifies the unit a pointer falls in, so errors in one source do not silence another. */
export function unitIdOf(path: readonly string[]): string | undefined {
  if (path[0] === "global") return "global";
  if (path[0] === "sources" && path[1] !== undefined) return `sources/${path[1]}`;
  return undefined;
}

/** The id {@link unitIdOf} gives for a unit itself. */
export function unitId(unit: ConfigUnit): string {
  return unit.kind === "global" ? "global" : `sources/${unit.name}`;
}
