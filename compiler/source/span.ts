/**
 * A half-open range `[start, end)` of UTF-16 offsets into one file.
 * Offsets rather than line:col so spans survive any renderer; {@link SourceFile} converts.
 */
export interface Span {
  /** The file path as the user gave it. */
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** Builds a span; `end` is clamped so a span is never inverted. */
export function span(file: string, start: number, end: number): Span {
  return { file, start, end: Math.max(start, end) };
}

/** Orders spans by file, then start, then end: the order diagnostics are printed in. */
export function compareSpans(a: Span, b: Span): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.start - b.start || a.end - b.end;
}
