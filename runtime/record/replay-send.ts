import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HttpSend } from "../http/client.ts";
import { decodeRecording, listRecordings, sourceDir } from "./format.ts";

/** Replay has no response to give: no recordings, or they ran out. */
export class ReplayError extends Error {
  readonly code = "HELR_REPLAY_EXHAUSTED";
}

/**
 * An {@link HttpSend} that never touches the network: it answers each request of a source with
 * that source's next recording (`dir/<source>/NNNNNN.json`, in numeric order), whatever the URL
 * or method, so recorded absolute `Link` URLs and POST bodies replay offline too. The response
 * carries the URL that was requested, as a live server's would.
 */
export function replaySend(dir: string, sourceId: string): HttpSend {
  const folder = sourceDir(dir, sourceId);
  let files: Promise<string[]> | undefined;
  let served = 0;
  return async (req) => {
    files ??= listRecordings(folder);
    const names = await files;
    const name = names[served];
    if (name === undefined) {
      throw new ReplayError(
        served === 0
          ? `replay: no recordings for source "${sourceId}" in ${folder}`
          : `replay: recordings for source "${sourceId}" in ${folder} ran out after ${served} response(s)`,
      );
    }
    served++;
    const path = join(folder, name);
    const response = decodeRecording(await readFile(path, "utf8"), path);
    return { ...response, url: req.url };
  };
}
