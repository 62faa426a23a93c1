/**
 * The largest config file helrc parses. Parsing costs time and memory in proportion to the text
 * (a 50 MB YAML file took 15 s and 2 GB), and a real config is far smaller: a thousand sources
 * fit in about 1 MB. So a bigger file is refused before it is parsed, or even read whole.
 */
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../source/source-file.ts";
import { span } from "../source/span.ts";

/** Per file; a directory input may hold any number of files of up to this size each. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * HLR1007 when a file of `bytes` bytes is over `limit`, at 1:1 (the file may be only its first
 * line: {@link SourceFile} text is what was read of it). Empty when the file is within the limit.
 */
export function checkFileSize(file: SourceFile, bytes: number, limit = MAX_CONFIG_BYTES): Diagnostic[] {
  if (bytes <= limit) return [];
  return [
    diagnostic(
      "HLR1007",
      span(file.path, 0, 0),
      `config file is ${describeBytes(bytes)}, over the limit of ${describeBytes(limit)} per file; it was not parsed`,
      {
        hint: "split the sources over several files (a directory input takes every file in it), each under the limit",
      },
    ),
  ];
}

/** `4 MiB`, `52.4 MiB`, `812 KiB` or `93 bytes`, plus the exact count when it was rounded. */
export function describeBytes(bytes: number): string {
  const exact = `${bytes.toLocaleString("en-US")} bytes`;
  const [value, unit] =
    bytes >= 2 ** 20 ? [bytes / 2 ** 20, "MiB"] : bytes >= 2 ** 10 ? [bytes / 2 ** 10, "KiB"] : [bytes, ""];
  if (unit === "") return exact;
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return Number.isInteger(value) ? `${shown} ${unit}` : `${shown} ${unit} (${exact})`;
}
