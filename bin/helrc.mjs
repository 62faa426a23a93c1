#!/usr/bin/env node
// helrc runs from TypeScript source: tsx compiles compiler/ on the fly, no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../compiler/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
