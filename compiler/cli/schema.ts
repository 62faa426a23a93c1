/**
 * `helrc schema`: prints the JSON Schema of the YAML format (the validator's own schema), for
 * editors: `# yaml-language-server: $schema=./helr.schema.json` (see docs/configuration.md).
 */
import { CONFIG_SCHEMA } from "../config-shape/config.ts";
import { type CliCommand, parseCommandArgs } from "./command.ts";
import { EXIT, UsageError } from "./errors.ts";

/** The `schema` command. */
export const schemaCommand: CliCommand = {
  name: "schema",
  usage: [["helrc schema", "print the JSON Schema of helr.yaml (for editors)"]],
  async run(argv, io) {
    const { positionals } = parseCommandArgs("schema", argv, {});
    if (positionals.length > 0) throw new UsageError("schema: takes no arguments");
    io.stdout(`${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`);
    return EXIT.ok;
  },
};
