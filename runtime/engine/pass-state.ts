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
    state: Readonly<Record<string, string>>,
  ) {
    const key = paginator.positionKey;
    const saved = key !== undefined ? state[key] : undefined;
    this.saved = saved === "" ? undefined : saved;
    this.position = this.saved;
    const markKey = spec.watermark?.stateKey;
    this.committedMark = markKey !== undefined ? state[markKey] || undefined : undefined;
    this.pendingMark = markKey !== undefined ? state[pendingKey(markKey)] || undefined : undefined;
    this.writtenPending = this.pendingMark;
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
