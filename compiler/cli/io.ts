/**
 * The CLI's window on the process, passed in so tests can run commands in-process.
 */

/** Output streams and environment of one CLI invocation. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory that relative paths are resolved against. */
  readonly cwd: string;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}
