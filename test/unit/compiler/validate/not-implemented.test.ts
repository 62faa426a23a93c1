import { describe, expect, it } from "vitest";
import {
  flag,
  object,
  planned,
  schemaNode,
  tag,
  tagged,
  text,
} from "../../../../compiler/config-shape/kit.ts";
import { SourceFile } from "../../../../compiler/source/source-file.ts";
import { parseYaml } from "../../../../compiler/syntax/yaml/parse-yaml.ts";
import { reportPlanned } from "../../../../compiler/validate/not-implemented.ts";

/** A shape with planned keys at every depth: a whole block, a key inside a block, a key in one branch. */
const SHAPE = schemaNode(
  object({
    done: flag("Implemented."),
    later: planned(object({ a: flag("A."), b: flag("B.") })),
    output: object({ http: object({ size: text("Size.") }), nats: planned(object({ subject: text("S.") })) }),
    auth: tagged(
      "type",
      [
        object({ type: tag("basic"), user: text("U.") }, { required: ["type"] }),
        object({ type: tag("magic"), spell: planned(text("Spell.")) }, { required: ["type"] }),
      ],
      "Auth.",
    ),
  }),
);

function warnings(yaml: string): string[] {
  const root = parseYaml(new SourceFile("t.yaml", yaml)).document.root;
  if (root === undefined) throw new Error("empty");
  return reportPlanned(root, SHAPE).map((d) => `${d.code} ${d.span.start} ${d.message.split(" ")[0]}`);
}

describe("HLR3001 (accepted but not implemented yet)", () => {
  it("warns once for a planned block, at its key, not for the keys inside it", () => {
    const yaml = "done: true\nlater:\n  a: true\n  b: false\n";
    expect(warnings(yaml)).toEqual([`HLR3001 ${yaml.indexOf("later")} \`later\``]);
  });

  it("finds a planned key inside an implemented block, and names its whole path", () => {
    const yaml = "output:\n  http: { size: x }\n  nats: { subject: s }\n";
    expect(warnings(yaml)).toEqual([`HLR3001 ${yaml.indexOf("nats")} \`output.nats\``]);
  });

  it("looks only at the branch of a tagged union that the tag names", () => {
    expect(warnings("auth: { type: basic, user: u }\n")).toEqual([]);
    const yaml = "auth: { type: magic, spell: s }\n";
    expect(warnings(yaml)).toEqual([`HLR3001 ${yaml.indexOf("spell")} \`auth.spell\``]);
  });

  it("says nothing about implemented keys", () => {
    expect(warnings("done: true\noutput: { http: { size: x } }\n")).toEqual([]);
  });
});
