import { SourceMap } from "node:module";
import type { ScriptLocation } from "./errors.ts";

/**
 * The file name QuickJS is given for the script. A fixed, plain name makes the frames of the
 * script easy to find in a QuickJS stack (`    at getAuth (hook-script:57:11)`) whatever the
 * author's path looks like; messages show {@link HookScript.name} instead.
 */
export const SCRIPT_FILE = "hook-script";

/** The file name of the sandbox's own prelude, so its frames are never mistaken for the script's. */
export const PRELUDE_FILE = "helr-sandbox";

const FRAME = new RegExp(`${SCRIPT_FILE}:(\\d+):(\\d+)`);

/** Maps positions in the evaluated code back to the author's file. */
export interface LocationMapper {
  /** The author's position of the first script frame of a QuickJS stack, if it has one. */
  fromStack(stack: unknown): ScriptLocation | undefined;
}

/**
 * A mapper for one script. Without a source map the evaluated code is the author's file and
 * positions pass through; with one (TypeScript, or a script with exports) they are looked up in it.
 */
export function locationMapper(sourceMap: string | undefined): LocationMapper {
  let map: SourceMap | undefined;
  const original = (at: ScriptLocation): ScriptLocation => {
    if (sourceMap === undefined) return at;
    map ??= new SourceMap(JSON.parse(sourceMap));
    const entry = map.findEntry(at.line - 1, at.column - 1) as Partial<SourceMapEntry>;
    if (entry.originalLine === undefined || entry.originalColumn === undefined) return at;
    return { line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  };
  return {
    fromStack(stack) {
      if (typeof stack !== "string") return undefined;
      for (const frame of stack.split("\n")) {
        const match = FRAME.exec(frame);
        if (match) return original({ line: Number(match[1]), column: Number(match[2]) });
      }
      return undefined;
    },
  };
}

interface SourceMapEntry {
  readonly originalLine: number;
  readonly originalColumn: number;
}
