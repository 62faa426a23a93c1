/** A 1-based line and column; the column counts UTF-16 code units, like tsc and LSP. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * A config file's text plus a table of line starts, so offsets convert to line:col in
 * O(log n). Line breaks are `\n`, `\r\n` and a lone `\r` (YAML 1.2 treats all three as breaks).
 */
export class SourceFile {
  /** Offset of the first character of each line; `lineStarts[0]` is always 0. */
  readonly lineStarts: readonly number[];

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.lineStarts = computeLineStarts(text);
  }

  /** Number of lines; an empty file has one (empty) line. */
  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Converts an offset (clamped to the text) to a 1-based line and column. */
  positionAt(offset: number): Position {
    const at = clamp(offset, 0, this.text.length);
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= at) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: at - (this.lineStarts[low] ?? 0) + 1 };
  }

  /** Converts a 1-based line and column (both clamped) back to an offset. */
  offsetAt(line: number, column: number): number {
    const index = clamp(line, 1, this.lineCount) - 1;
    const start = this.lineStarts[index] ?? 0;
    const end = this.lineEnd(index);
    return clamp(start + column - 1, start, end);
  }

  /** The text of a 1-based line without its line break. */
  lineText(line: number): string {
    const index = clamp(line, 1, this.lineCount) - 1;
    return this.text.slice(this.lineStarts[index] ?? 0, this.lineEnd(index));
  }

  /** Offset just past the last character of line `index` (0-based), before the break. */
  private lineEnd(index: number): number {
    const next = this.lineStarts[index + 1];
    if (next === undefined) return this.text.length;
    const crlf = this.text[next - 2] === "\r" && this.text[next - 1] === "\n";
    return next - (crlf ? 2 : 1);
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (ch === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
