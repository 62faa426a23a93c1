import type { Paginator } from "../paginate/types.ts";
import type { SourceSpec } from "../spec.ts";
import { laterOf } from "./watermark.ts";

/**
 * What a pass starts from, read from the store. Two things are kept apart on purpose:
 * - the in-flight position (next link, cursor, page…), written after every page, so a restart
 *   mid-pass resumes the pass;
 * - the committed high-water mark, written only when a pass is complete, so a newest-first API
 *   interrupted after its first page does not skip the older pages on restart. The running
 *   maximum of an unfinished pass is kept under `<state_key>_pending`.
 */
export class PassState {
  readonly saved: string | undefined;
  readonly committedMark: string | undefined;
  pendingMark: string | undefined;
  position: string | null | undefined;
  private writtenPending: string | undefined;

  constructor(
    readonly spec: SourceSpec,
    readonly paginator: Paginator,
    private readonly stored: Readonly<Record<string, string>>,
  ) {
    const key = paginator.positionKey;
    const saved = key !== undefined ? stored[key] : undefined;
    this.saved = saved === "" ? undefined : saved;
    this.position = this.saved;
    const markKey = spec.watermark?.stateKey;
    this.committedMark = markKey !== undefined ? stored[markKey] || undefined : undefined;
    this.pendingMark = markKey !== undefined ? stored[pendingKey(markKey)] || undefined : undefined;
    this.writtenPending = this.pendingMark;
  }

  /**
   * The same state without the stored position: a pass that starts afresh from the committed
   * high-water mark (the stored cursor expired, or the stored link points at another host).
   * The running maximum is kept: it still covers events already written.
   */
  withoutPosition(): PassState {
    const key = this.paginator.positionKey;
    if (key === undefined) return this;
    const fresh = new PassState(this.spec, this.paginator, { ...this.stored, [key]: "" });
    fresh.pendingMark = this.pendingMark;
    fresh.writtenPending = this.writtenPending;
    return fresh;
  }

  /** The change that clears the stored position, so a crash now does not resume the rejected one. */
  clearPosition(): Record<string, string | null> {
    const key = this.paginator.positionKey;
    return key === undefined ? {} : { [key]: null };
  }

  /** Records a page's highest mark. */
  observe(mark: string | undefined): void {
    this.pendingMark = laterOf(this.pendingMark, mark);
  }

  /** State changes for a checkpoint in the middle of a pass. */
  progress(position: string | null | undefined): Record<string, string | null> {
    const changes: Record<string, string | null> = {};
    const key = this.paginator.positionKey;
    if (key !== undefined && position !== undefined && position !== this.position) {
      changes[key] = position;
      this.position = position;
    }
    const markKey = this.spec.watermark?.stateKey;
    if (markKey !== undefined && this.pendingMark !== undefined && this.pendingMark !== this.writtenPending) {
      changes[pendingKey(markKey)] = this.pendingMark;
      this.writtenPending = this.pendingMark;
    }
    return changes;
  }

  /** State changes when the pass is complete: the pending mark becomes the committed one. */
  complete(): Record<string, string | null> {
    const markKey = this.spec.watermark?.stateKey;
    if (markKey === undefined) return {};
    const mark = laterOf(this.committedMark, this.pendingMark);
    return { ...(mark !== undefined ? { [markKey]: mark } : {}), [pendingKey(markKey)]: null };
  }
}

function pendingKey(markKey: string): string {
  return `${markKey}_pending`;
}
