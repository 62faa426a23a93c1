/**
 * "Did you mean" support: optimal-string-alignment (Damerau) distance over the keys or
 * values allowed at one level, with a threshold so unrelated words get no hint.
 */

/** Edit distance counting insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** How many edits still count as a typo for a word of this length. */
function tolerance(length: number): number {
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  if (length <= 11) return 2;
  return 3;
}

/** Case and `-`/`_` differences are the most common slips; compare without them. */
function normalize(word: string): string {
  return word.toLowerCase().replace(/-/g, "_");
}

/**
 * The candidate closest to `word`, or undefined when none is close enough. Ties go to the
 * alphabetically first candidate so hints are deterministic.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const target = normalize(word);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of [...candidates].sort()) {
    if (candidate === word) continue;
    const distance = editDistance(target, normalize(candidate));
    const limit = Math.min(tolerance(target.length), candidate.length - 1);
    if (distance > limit) continue;
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Formats a list of allowed values: `` `get`, `post` ``. */
export function listValues(values: readonly (string | number)[]): string {
  return values.map((v) => `\`${v}\``).join(", ");
}
