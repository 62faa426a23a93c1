import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { HelrError } from "../errors/helr-error.ts";
import type { HttpSend } from "../http/client.ts";
import { encodeRecording, listRecordings, recordingName, recordingNumber, sourceDir } from "./format.ts";
import { redactExchange } from "./redact-exchange.ts";

/** A response could not be saved under `--record-dir`; the request fails rather than go unrecorded. */
export class RecordError extends HelrError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("HELR_RECORD_WRITE", message, options);
  }
}

/**
 * Wraps `base` so every response (any status) is saved as `dir/<source>/NNNNNN.json`, redacted
 * (see {@link redactExchange}): every secret the process knows and those the request carries.
 * Numbering continues after the files already there, and a name is claimed with an exclusive
 * create, so earlier recordings — even a concurrent recorder's — are never overwritten.
 */
export function recordingSend(base: HttpSend, dir: string, sourceId: string): HttpSend {
  const folder = sourceDir(dir, sourceId);
  let next: number | undefined;
  let saving: Promise<void> = Promise.resolve();
  const save = async (text: string): Promise<void> => {
    if (next === undefined) {
      await mkdir(folder, { recursive: true });
      const last = (await listRecordings(folder)).at(-1);
      next = last === undefined ? 0 : recordingNumber(last) + 1;
    }
    for (;;) {
      const path = join(folder, recordingName(next++));
      const handle = await open(path, "wx").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") return undefined;
        throw error;
      });
      if (!handle) continue;
      try {
        await handle.writeFile(text, "utf8");
      } finally {
        await handle.close();
      }
      return;
    }
  };
  return async (req) => {
    const res = await base(req);
    const text = encodeRecording(redactExchange(req, res));
    // One save at a time, so numbers follow the order responses arrived in.
    const saved = saving.then(() => save(text));
    saving = saved.catch(() => undefined);
    try {
      await saved;
    } catch (error) {
      throw new RecordError(
        `cannot record a response of source "${sourceId}" in ${folder}: ${(error as Error).message}`,
      );
    }
    return res;
  };
}
