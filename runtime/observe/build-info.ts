import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

/**
 * The hash of the running bundle (`helr_build_info{bundle_hash}`): the first 16 hex digits of the
 * SHA-256 of the file the process was started from, so two replicas running the same build show
 * the same value. Hashing a bundle costs about 25 ms, so it is done at the first scrape, not at
 * start-up; the file's size and mtime are noted at start-up, and if the file was replaced in
 * between (a rebuild), the answer is "unknown" rather than the hash of a build that is not
 * running. Also "unknown" when the file cannot be read.
 */
export function bundleHasher(path: string | undefined = process.argv[1]): () => string {
  const started = path === undefined ? undefined : fingerprint(path);
  let hash: string | undefined;
  return () => {
    if (hash !== undefined) return hash;
    hash = "unknown";
    if (path === undefined || started === undefined || fingerprint(path) !== started) return hash;
    try {
      hash = createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 16);
    } catch {
      // unreadable: stays "unknown"
    }
    return hash;
  };
}

function fingerprint(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}
