/**
 * The CLI's one seam to the front end: analysis and diagnostic rendering.
 */
export { renderText } from "../diagnostics/render.ts";
export { analyze, analyzeProgram } from "../pipeline.ts";
