import { basename, dirname, extname, join } from "node:path";

/**
 * Rotation policy for the file sink: pure functions of the option text, the clock and sizes.
 * The sink does the I/O; everything decided here is unit-tested without touching a disk.
 */

/** `daily`: a new file on the first write of a new UTC day. `size`: a new file before `bytes` is exceeded. */
export type RotatePolicy = { readonly kind: "daily" } | { readonly kind: "size"; readonly bytes: number };

const MIB = 1024 * 1024;

/**
 * Parses `--output-rotate`: `daily` or `size:N` with N in MiB (> 0, decimals allowed, so
 * `size:0.5` is 512 KiB). Case-insensitive. Returns an error message instead of throwing.
 */
export function parseRotate(text: string): RotatePolicy | { readonly error: string } {
  const value = text.trim().toLowerCase();
  if (value === "daily") return { kind: "daily" };
  const size = /^size:(\d+(?:\.\d+)?)$/.exec(value);
  const mib = size?.[1] !== undefined ? Number(size[1]) : Number.NaN;
  if (Number.isFinite(mib) && mib > 0) return { kind: "size", bytes: Math.max(1, Math.floor(mib * MIB)) };
  return { error: `invalid --output-rotate "${text}": expected "daily" or "size:N" with N in MiB > 0` };
}

/** The UTC calendar date of `time`: `YYYY-MM-DD`. */
export function utcDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** A UTC timestamp usable in file names: `YYYY-MM-DDTHH-MM-SS`. */
export function utcStamp(time: Date): string {
  return time.toISOString().slice(0, 19).replace(/:/g, "-");
}

/**
 * Where a rotated file goes: `<dir>/<stem>.<label>.<ext>`, then `<stem>.<label>_1.<ext>`, … for
 * `attempt` 1, 2, … when a name is taken (never overwrite; `_` sorts after `.`, so a listing
 * keeps the files in the order they were written). A path without an extension rotates to
 * `.ndjson`, an empty stem to `helr` (the reference's defaults).
 */
export function rotatedPath(path: string, label: string, attempt = 0): string {
  const ext = extname(path);
  const stem = basename(path, ext) || "helr";
  const suffix = attempt > 0 ? `_${attempt}` : "";
  return join(dirname(path), `${stem}.${label}${suffix}.${ext.slice(1) || "ndjson"}`);
}

/**
 * Splits `data` (whole lines) into the pieces that go to successive files under a size limit:
 * each piece ends on a line boundary and keeps its file at or under `limit` bytes, except that a
 * single line longer than the limit gets a file of its own. `used` is the current file's size.
 * A `rotate` entry means "start a new file before the next piece".
 */
export function planSizeWrites(
  data: Buffer,
  used: number,
  limit: number,
): Array<{ readonly kind: "write"; readonly data: Buffer } | { readonly kind: "rotate" }> {
  const plan: Array<{ kind: "write"; data: Buffer } | { kind: "rotate" }> = [];
  let start = 0;
  let size = used;
  while (start < data.length) {
    const end = lastFittingLineEnd(data, start, limit - size);
    if (end > start) {
      plan.push({ kind: "write", data: data.subarray(start, end) });
      size += end - start;
      start = end;
    } else if (size > 0) {
      plan.push({ kind: "rotate" });
      size = 0;
    } else {
      const first = lineEnd(data, start);
      plan.push({ kind: "write", data: data.subarray(start, first) });
      size += first - start;
      start = first;
    }
  }
  return plan;
}

/** End (exclusive) of the longest run of whole lines from `start` within `room` bytes; `start` if none fits. */
function lastFittingLineEnd(data: Buffer, start: number, room: number): number {
  if (room <= 0) return start;
  const limit = Math.min(data.length, start + room);
  if (limit === data.length) return data.length;
  const newline = data.lastIndexOf(0x0a, limit - 1);
  return newline >= start ? newline + 1 : start;
}

/** End (exclusive) of the line starting at `start`, newline included. */
function lineEnd(data: Buffer, start: number): number {
  const newline = data.indexOf(0x0a, start);
  return newline === -1 ? data.length : newline + 1;
}
