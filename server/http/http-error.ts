/** An HTTP error with a reason for the client (contract/api.ts `ApiError`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail?: string,
  ) {
    super(detail ? `${error}: ${detail}` : error);
  }
}
