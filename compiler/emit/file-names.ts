/**
 * Source id → generated module file name.
 *
 * Names are `[a-z0-9-]` kebab-case so they are safe on every file system and inside an
 * import specifier without quoting concerns. Distinct ids can fold to one name
 * (`okta_audit`, `Okta-Audit`), so collisions get `-2`, `-3`… assigned in code-unit order of
 * the ids: the result depends only on the set of ids, not on the order sources were listed.
 */

/** The generated index module; never produced for a source. */
export const INDEX_FILE = "index.ts";

/** Long ids are cut so that file names stay well under common path-component limits. */
const MAX_STEM = 60;

/** Stems that are taken: the index module and device names Windows refuses as file names. */
const RESERVED_STEMS = new Set([
  "index",
  "con",
  "prn",
  "aux",
  "nul",
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
]);

/** Matches every name {@link assignFileNames} can produce, and nothing that needs quoting. */
export const SAFE_FILE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*\.ts$/;

/** The kebab-case stem for one id, before collisions are resolved. */
export function fileStem(id: string): string {
  const stem = id
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, MAX_STEM)
    .replace(/^-+|-+$/g, "");
  return stem === "" ? "source" : stem;
}

/**
 * Assigns each source id a distinct, safe module file name (`okta-audit.ts`).
 *
 * @returns id → file name, for every id given (duplicates share one entry).
 */
export function assignFileNames(ids: readonly string[]): Map<string, string> {
  const taken = new Set(RESERVED_STEMS);
  const names = new Map<string, string>();
  for (const id of [...new Set(ids)].sort(compareCodeUnits)) {
    const base = fileStem(id);
    let stem = base;
    for (let n = 2; taken.has(stem); n++) stem = `${base}-${n}`;
    taken.add(stem);
    names.set(id, `${stem}.ts`);
  }
  return names;
}

/** Locale-independent ordering, so file names do not depend on the machine building them. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
