import type { SourceFile } from "../source/source-file.ts";
import type { Span } from "../source/span.ts";

/** A span as 1-based lines and columns (UTF-16 code units); the end is exclusive. */
export interface Region {
  readonly file: string;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** Looks files up by the path diagnostics carry. */
export function fileIndex(files: readonly SourceFile[]): ReadonlyMap<string, SourceFile> {
  return new Map(files.map((file) => [file.path, file] as const));
}

/** Converts a span to lines and columns; a span in an unknown file maps to 1:1. */
export function regionOf(at: Span, files: ReadonlyMap<string, SourceFile>): Region {
  const file = files.get(at.file);
  const start = file?.positionAt(at.start) ?? { line: 1, column: 1 };
  const end = file?.positionAt(at.end) ?? start;
  return {
    file: at.file,
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
}
