import { readFile } from "node:fs/promises";
import { type Env, expand } from "../config/env.ts";
import type { SecretRef } from "../spec.ts";

/** A secret could not be read; the message names the source and where it looked, never a value. */
export class SecretError extends Error {
  readonly code = "HELR_SECRET_MISSING";
}

/**
 * Reads a secret: the file wins when set (trimmed, re-read on every call so rotation works
 * without a restart), else the environment variable.
 */
export async function readSecret(ref: SecretRef, env: Env, sourceId: string, what: string): Promise<string> {
  if (ref.file !== undefined) {
    const path = expand(ref.file, env, sourceId);
    try {
      return (await readFile(path, "utf8")).trim();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new SecretError(`source "${sourceId}": cannot read ${what} from file ${path} (${reason})`);
    }
  }
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (value === undefined || value === "") {
      throw new SecretError(`source "${sourceId}": ${what} environment variable ${ref.env} is not set`);
    }
    return value;
  }
  throw new SecretError(`source "${sourceId}": no ${what} configured`);
}
