import { DedupeWindow } from "../../runtime/engine/dedupe.ts";
import { type PageContext, PageLines } from "../../runtime/engine/page-lines.ts";
import { extractPage, extractText } from "../../runtime/extract/response.ts";
import type { HttpResponse } from "../../runtime/http/client.ts";
import type { SourceSpec } from "../../runtime/spec.ts";

/** What one page turned into, as a whole: its tallies and all its lines as one string. */
export interface RenderedPage {
  readonly document: unknown;
  readonly warning: string | undefined;
  readonly extracted: number;
  readonly emitted: number;
  readonly filtered: number;
  readonly duplicates: number;
  readonly oversized: number;
  readonly newIds: readonly string[];
  readonly mark: string | undefined;
  readonly lines: string;
}

/**
 * Reads and renders one response the way the engine does, by the byte path (`bytes`, which falls
 * back to the text path where it must) or by the text path alone (`text`, the reference).
 */
export function renderPage(
  response: HttpResponse,
  ctx: PageContext,
  path: "bytes" | "text" = "bytes",
  blockBytes?: number,
): RenderedPage {
  const extraction =
    path === "text"
      ? extractText(response, ctx.spec)
      : extractPage({ response }, { spec: ctx.spec, readsBody: false });
  const page = new PageLines(ctx, extraction, response);
  const lines = Buffer.concat(
    [...page.blocks(blockBytes !== undefined ? { blockBytes } : {})].map((b) => b.bytes),
  );
  const { extracted, emitted, filtered, duplicates, oversized, newIds, mark } = page;
  return {
    document: extraction.document,
    warning: extraction.warning,
    extracted,
    emitted,
    filtered,
    duplicates,
    oversized,
    newIds,
    mark,
    lines: lines.toString("utf8"),
  };
}

/** A source's page context as the engine builds it, with a fixed clock (epoch 0). */
export function pageContext(spec: SourceSpec): PageContext {
  return {
    spec,
    include: spec.extract.include.map((source) => new RegExp(source)),
    exclude: spec.extract.exclude.map((source) => new RegExp(source)),
    dedupe: spec.dedupe ? new DedupeWindow(spec.dedupe.capacity) : undefined,
    now: () => new Date(0),
  };
}
