import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { HelrError } from "../errors/helr-error.ts";
import type { HttpSend } from "../http/client.ts";
import { decodeRecording, listRecordings, sourceDir } from "./format.ts";

/** Replay has no response to give: no recordings, or they ran out. */
export class ReplayError extends HelrError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("HELR_REPLAY_EXHAUSTED", message, options);
  }
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
    return { ...response, headers: onOrigin(response.headers, response.url, req.url), url: req.url };
  };
}

/**
 * The recording's links moved from the origin it was recorded on to the one being replayed
 * against, so a replay follows them as the live run did (links to any other origin stay as they
 * were, and are refused as they were live: credentials never leave the source's origin).
 */
function onOrigin(
  headers: ReadonlyMap<string, readonly string[]>,
  recordedUrl: string,
  requestUrl: string,
): ReadonlyMap<string, readonly string[]> {
  const from = URL.canParse(recordedUrl) ? new URL(recordedUrl).origin : undefined;
  const to = URL.canParse(requestUrl) ? new URL(requestUrl).origin : undefined;
  const links = headers.get("link");
  if (from === undefined || to === undefined || from === to || links === undefined) return headers;
  const moved = new Map(headers);
  moved.set(
    "link",
    links.map((value) => value.replaceAll(`<${from}/`, `<${to}/`).replaceAll(`<${from}>`, `<${to}>`)),
  );
  return moved;
}
