import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * The hash of the running bundle (`helr_build_info{bundle_hash}`): the first 16 hex digits of the
 * SHA-256 of the file the process was started from, so two replicas running the same build show
 * the same value. "unknown" when the file cannot be read (it was replaced or removed since).
 */
export function bundleHash(path: string | undefined = process.argv[1]): string {
  if (path === undefined) return "unknown";
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 16);
  } catch {
    return "unknown";
  }
}
