/**
 * SARIF 2.1.0 output, so GitHub code scanning (and other SARIF viewers) annotate configs.
 * Rules come from the code catalog; results carry the same data as the text output.
 */
import type { SourceFile } from "../source/source-file.ts";
import { type CodeInfo, DIAGNOSTIC_CODES, type DiagnosticCode } from "./codes.ts";
import { type Diagnostic, sortDiagnostics } from "./diagnostic.ts";
import { fileIndex, type Region, regionOf } from "./location.ts";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

interface SarifLocation {
  readonly physicalLocation: {
    readonly artifactLocation: { readonly uri: string; readonly uriBaseId?: string };
    readonly region: Omit<Region, "file">;
  };
  readonly message?: { readonly text: string };
}

/** Every code a config can trigger, in catalog order (retired and internal codes included: stable indices). */
const RULE_IDS = Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[];

/** The SARIF log for one run of helrc. */
export function sarifLog(diagnostics: readonly Diagnostic[], files: readonly SourceFile[], version: string) {
  const index = fileIndex(files);
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "helrc",
            version,
            rules: RULE_IDS.map((id) => rule(id, DIAGNOSTIC_CODES[id])),
          },
        },
        columnKind: "utf16CodeUnits",
        results: sortDiagnostics(diagnostics).map((d) => result(d, index)),
      },
    ],
  };
}

/** The SARIF log as JSON text. */
export function renderSarif(
  diagnostics: readonly Diagnostic[],
  files: readonly SourceFile[],
  version: string,
): string {
  return `${JSON.stringify(sarifLog(diagnostics, files, version), null, 2)}\n`;
}

function rule(id: DiagnosticCode, info: CodeInfo) {
  return {
    id,
    name: ruleName(info.title),
    shortDescription: { text: info.title },
    help: {
      text: `${info.title}. Example:\n${info.example}\nSee docs/diagnostics.md#${id.toLowerCase()}.`,
      markdown: `**${info.title}**\n\nExample:\n\n\`\`\`yaml\n${info.example}\n\`\`\`\n\nSee \`docs/diagnostics.md\`.`,
    },
    defaultConfiguration: { level: info.severity },
    properties: { category: info.stage, ...(info.lint === true ? { tags: ["lint"] } : {}) },
  };
}

/** "Unknown key" → "UnknownKey": SARIF rule names are identifiers. */
function ruleName(title: string): string {
  return title
    .replace(/[^A-Za-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

function result(d: Diagnostic, index: ReadonlyMap<string, SourceFile>) {
  const text = d.hint === undefined ? d.message : `${d.message}\nhint: ${d.hint}`;
  return {
    ruleId: d.code,
    ruleIndex: RULE_IDS.indexOf(d.code),
    level: d.severity,
    message: { text },
    locations: [location(regionOf(d.span, index))],
    ...(d.related !== undefined
      ? {
          relatedLocations: d.related.map((r, i) => ({
            id: i,
            ...location(regionOf(r.span, index), r.message),
          })),
        }
      : {}),
  };
}

function location(region: Region, message?: string): SarifLocation {
  const { file, ...lines } = region;
  const uri = encodeURI(file.replace(/\\/g, "/"));
  const relative = !/^([a-z][a-z0-9+.-]*:|\/)/i.test(uri);
  return {
    physicalLocation: {
      artifactLocation: { uri, ...(relative ? { uriBaseId: "%SRCROOT%" } : {}) },
      region: lines,
    },
    ...(message !== undefined ? { message: { text: message } } : {}),
  };
}
