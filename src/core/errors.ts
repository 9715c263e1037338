/**
 * An error a caller can act on: `code` says what kind, the message says what to change.
 * Tools turn it into an isError result for the model; anything else is an internal failure.
 */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export type AppErrorCode =
  | 'not_found'
  | 'invalid_argument'
  | 'forbidden'
  | 'conflict'
  | 'unsupported_format'
  | 'failed_precondition'
  | 'unavailable';

export const notFound = (what: string, id: string) =>
  new AppError(
    'not_found',
    `${what} ${id} was not found for this tenant. Check the id (list them with the matching query tool).`,
  );
