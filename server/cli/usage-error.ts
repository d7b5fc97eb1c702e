/** A refused command line or input file: printed as one message, exit code 2, no partial output. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
