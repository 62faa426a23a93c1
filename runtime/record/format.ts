import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { HttpResponse } from "../http/client.ts";

/**
 * One recorded response: `DIR/<source>/NNNNNN.json`. The reference's fields (`url`, `status`,
 * `headers`, `body_base64`) plus `method`, and `oversize_bytes` for a body that was not read
 * because it exceeded `max_response_bytes`. A header received once is a string, a repeated one
 * (two `link` lines) an array; both forms are read back.
 */
export interface Recording {
  readonly url: string;
  readonly method: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body_base64: string;
  /** The bytes known of a body dropped for `max_response_bytes` (its `body_base64` is empty). */
  readonly oversize_bytes?: number;
}

const NAME = /^(\d+)\.json$/;

/**
 * The folder of one source's recordings. Source ids are `[A-Za-z0-9][A-Za-z0-9._-]*` (checked by
 * helrc), which is already a safe folder name; anything else is percent-encoded rather than
 * replaced (the reference maps every odd character to `_`, so two ids could share a folder).
 */
export function sourceDir(dir: string, sourceId: string): string {
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(sourceId) ? sourceId : encodeURIComponent(sourceId);
  return join(dir, safe.replace(/^\./, "%2E"));
}

/** File name of recording number `n`: six digits, growing past a million rather than wrapping. */
export function recordingName(n: number): string {
  return `${String(n).padStart(6, "0")}.json`;
}

/** Recording file names in `folder` (`NNNNNN.json`) in numeric order; empty when the folder is missing. */
export async function listRecordings(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names.filter((name) => NAME.test(name)).sort((a, b) => recordingNumber(a) - recordingNumber(b));
}

/** The number in a recording file name. */
export function recordingNumber(name: string): number {
  return Number.parseInt(name, 10);
}

/** The JSON text of a recording (pretty, as the reference writes it). */
export function encodeRecording(recording: Recording): string {
  return `${JSON.stringify(recording, null, 2)}\n`;
}

/** Parses a recording file back into a response; `where` names the file in errors. */
export function decodeRecording(text: string, where: string): HttpResponse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`);
  }
  const r = value as Partial<Recording> | null;
  if (
    typeof r !== "object" ||
    r === null ||
    typeof r.status !== "number" ||
    typeof r.body_base64 !== "string"
  ) {
    throw new Error(`${where}: not a recording (needs "status" and "body_base64")`);
  }
  const headers = new Map<string, string[]>();
  for (const [name, v] of Object.entries(r.headers ?? {})) {
    headers.set(name.toLowerCase(), Array.isArray(v) ? v.map(String) : [String(v)]);
  }
  return {
    status: r.status,
    headers,
    body: Buffer.from(r.body_base64, "base64"),
    url: typeof r.url === "string" ? r.url : "",
    ...(typeof r.oversize_bytes === "number" ? { oversizeBytes: r.oversize_bytes } : {}),
  };
}
