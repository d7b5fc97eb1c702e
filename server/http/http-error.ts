import type { HttpRefusalReason } from './http-refusals';

/** An HTTP error with a reason for the client (contract/api.ts `ApiError`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail?: string,
    /** Set where the port's own rules refused the request (counted in /metrics). */
    readonly refusal?: HttpRefusalReason,
  ) {
    super(detail ? `${error}: ${detail}` : error);
  }
}
