/**
 * Every `helrc` subcommand, in the order `helrc --help` lists them. A new command lives in
 * its own file and is registered here with one line.
 */
import { checkCommand } from "./check.ts";
import type { CliCommand } from "./command.ts";
import { buildCommand, emitCommand } from "./commands.ts";
import { convertCommand } from "./convert.ts";
import { fmtCommand } from "./fmt.ts";
import { schemaCommand } from "./schema.ts";

export const COMMANDS: readonly CliCommand[] = [
  checkCommand,
  emitCommand,
  buildCommand,
  schemaCommand,
  fmtCommand,
  convertCommand,
];
