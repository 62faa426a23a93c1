import { describe, expect, it } from "vitest";
import { parseRunOptions } from "../../../runtime/cli/run-options.ts";
import { UsageError } from "../../../runtime/cli/usage.ts";

describe("run options", () => {
  it("parses every flag", () => {
    const options = parseRunOptions(
      [
        "--once",
        "--source",
        "a",
        "--source",
        "b",
        "-o",
        "out.ndjson",
        "--output-rotate",
        "size:10",
        "--record-dir",
        "rec",
        "--state-path",
        "s.db",
        "--log-level",
        "DEBUG",
        "--log-format",
        "pretty",
      ],
      {},
    );
    expect(options).toEqual({
      once: true,
      sources: ["a", "b"],
      output: "out.ndjson",
      rotate: { kind: "size", bytes: 10 * 1024 * 1024 },
      recordDir: "rec",
      replayDir: undefined,
      statePath: "s.db",
      log: { level: "debug", format: "pretty" },
    });
  });

  it("takes output settings from the environment when no flag is given; flags win", () => {
    const env = { HELR_OUTPUT: "/var/log/helr/events.ndjson", HELR_OUTPUT_ROTATE: "daily" };
    expect(parseRunOptions([], env)).toMatchObject({ output: env.HELR_OUTPUT, rotate: { kind: "daily" } });
    expect(parseRunOptions(["--output", "x.ndjson", "--output-rotate", "size:1"], env)).toMatchObject({
      output: "x.ndjson",
      rotate: { kind: "size" },
    });
    // `-` is stdout, named explicitly (it wins over HELR_OUTPUT and over global.output.http.url).
    expect(parseRunOptions(["--output", "-"], { HELR_OUTPUT: "f.ndjson" }).output).toBe("-");
    expect(() => parseRunOptions(["--output", "-", "--output-rotate", "daily"], {})).toThrow(
      /needs --output FILE/,
    );
  });

  it.each([
    [["--output-rotate", "daily"], /needs --output FILE/],
    [["--output", "o", "--output-rotate", "weekly"], /invalid --output-rotate "weekly"/],
    [["--output", "o", "--output-rotate", "size:0"], /invalid --output-rotate "size:0"/],
    [["--record-dir", "a", "--replay-dir", "b"], /cannot be used together/],
    [["--log-level", "loud"], /invalid --log-level "loud"/],
    [["--log-format", "xml"], /invalid --log-format "xml"/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["extra"], /positional/],
    [["--output", ""], /empty value/],
  ])("rejects %j as a usage error", (args, message) => {
    expect(() => parseRunOptions(args, {})).toThrow(UsageError);
    expect(() => parseRunOptions(args, {})).toThrow(message);
  });

  it("an invalid rotation in the environment is a usage error naming the value", () => {
    expect(() => parseRunOptions(["-o", "f"], { HELR_OUTPUT_ROTATE: "size:-3" })).toThrow(/"size:-3"/);
  });
});
