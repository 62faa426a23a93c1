/**
 * Docs never drift from the compiler (issue 7): every ```yaml and ```helr block of README.md and
 * docs/**\/*.md is compiled with analyze() and must have no errors. A block that is deliberately
 * a fragment (a lone `auth:` block, an error example) carries `<!-- partial -->` on the line right
 * before its fence; only those are skipped.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/pipeline.ts";
import { ROOT } from "../support/bundle.ts";

interface Block {
  /** `docs/auth.md:42`: the file and the line of the opening fence. */
  readonly where: string;
  readonly language: "yaml" | "helr";
  readonly text: string;
  readonly partial: boolean;
}

const PARTIAL = "<!-- partial -->";
const OPEN = /^( {0,3})(`{3,}|~{3,})\s*(yaml|yml|helr)\s*$/;

/** README.md and every Markdown file under docs/, sorted. */
function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((entry) => {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) return walk(path);
        return entry.name.endsWith(".md") ? [path] : [];
      });
  return ["README.md", ...walk("docs")];
}

/** The yaml and helr fenced blocks of one Markdown file (CommonMark fences, up to 3 spaces indented). */
function fencedBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i] ?? "");
    if (open === null) continue;
    const [, indent = "", fence = "```", language = "yaml"] = open;
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j] ?? ""); j++) {
      const line = lines[j] ?? "";
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    blocks.push({
      where: `${file}:${i + 1}`,
      language: language === "helr" ? "helr" : "yaml",
      text: `${body.join("\n")}\n`,
      partial: lines[i - 1]?.trim() === PARTIAL,
    });
    i = j;
  }
  return blocks;
}

const blocks = markdownFiles().flatMap((file) => fencedBlocks(file, readFileSync(join(ROOT, file), "utf8")));
const complete = blocks.filter((block) => !block.partial);

describe("config blocks in README.md and docs/", () => {
  it("finds the blocks, including the integration guides'", () => {
    expect(complete.length).toBeGreaterThan(20);
    for (const guide of ["okta", "github", "generic"])
      expect(
        complete.some((b) => b.where.startsWith(`docs/integrations/${guide}.md:`)),
        guide,
      ).toBe(true);
  });

  it.each(complete.map((block) => [block.where, block] as const))("%s compiles", (_where, block) => {
    // The extension tells analyze() which front end to use.
    const path = `${block.where.replace(":", "#L")}.${block.language}`;
    const result = analyze([{ path, text: block.text }]);
    const errors = result.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `${d.code} ${d.message}`);
    expect(errors).toEqual([]);
  });
});

describe("fencedBlocks", () => {
  it("reads yaml and helr fences, their line, indentation and the partial marker, and nothing else", () => {
    const markdown = [
      "text",
      "```yaml",
      "a: 1",
      "```",
      PARTIAL,
      "````helr",
      "x = 1",
      "```",
      "````",
      "```sh",
      "echo",
      "```",
      "  ```yml",
      "  b: 2",
      "  ```",
    ].join("\n");
    expect(fencedBlocks("f.md", markdown)).toEqual([
      { where: "f.md:2", language: "yaml", text: "a: 1\n", partial: false },
      { where: "f.md:6", language: "helr", text: "x = 1\n```\n", partial: true },
      { where: "f.md:13", language: "yaml", text: "b: 2\n", partial: false },
    ]);
  });
});
