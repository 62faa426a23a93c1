#!/usr/bin/env node
// helrc: runs the prebuilt compiler (scripts/build-compiler.mjs, made on npm install) when it is
// up to date, else compiles compiler/ on the fly with tsx. Set HELR_FROM_SOURCE=1 to force tsx.
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bundled = `${root}out/helrc/helrc.mjs`;

/** Newest modification time of the TypeScript the compiler is made of. */
function newestSource() {
  let newest = statSync(`${root}runtime/spec.ts`).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(`${root}compiler`);
  walk(`${root}grammar`);
  return newest;
}

function prebuiltIsFresh() {
  if (process.env.HELR_FROM_SOURCE) return false;
  try {
    return statSync(bundled).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

let main;
if (prebuiltIsFresh()) {
  ({ main } = await import(bundled));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../compiler/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
