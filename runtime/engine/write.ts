import type { BoundSource } from "../app.ts";
import { coded, HelrError } from "../errors/helr-error.ts";
import { redactUrl } from "../http/redact.ts";
import type { Block, PageLines } from "./page-lines.ts";
import type { PollDeps } from "./types.ts";

/**
 * The write stage: renders the page block by block, each accepted by the sink before the next is
 * rendered, so a huge page holds one block of output at a time. The first block is rendered
 * while the previous page's checkpoint runs and written only once it succeeded (its failure is
 * thrown). A rendering failure (`max_line_bytes: fail`) names the source and page; a sink failure
 * stays as the sink worded it.
 */
export async function writeLines(
  lines: PageLines,
  source: BoundSource,
  url: string,
  deps: PollDeps,
  previousCheckpoint: Promise<void>,
): Promise<void> {
  const sourceId = source.spec.id;
  const blocks = lines.blocks({ keys: deps.sink.wantsKeys === true });
  for (let first = true; ; first = false) {
    let next: IteratorResult<Block>;
    try {
      next = blocks.next();
    } catch (error) {
      const err = coded(error);
      throw new HelrError(err.code, `source "${sourceId}": ${redactUrl(url)}: ${err.message}`, {
        cause: error,
      });
    }
    if (first) await previousCheckpoint;
    if (next.done) return;
    const { bytes, lines: count, keys } = next.value;
    await deps.sink.write(bytes, { sourceId, lines: count, ...(keys ? { keys } : {}) });
    // A turn of the event loop between blocks: the next page's response is read meanwhile and
    // its scan starts on the scan thread while this page is still being rendered.
    await new Promise(setImmediate);
  }
}
