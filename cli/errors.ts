/** An error the CLI reports as one message with its own exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) { super(message); }
}
