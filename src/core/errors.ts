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

/** Where a caller finds the id of each kind of record, for a not_found that says where to look. */
const FINDS: Record<string, string> = {
  Lead: 'find the lead with query_leads {text: "<name, phone, e-mail or document>"}',
  Job: 'job_status lists the jobs',
  Campaign: 'job_status lists the campaigns',
  Agendamento: "query_leads {lead_id} shows a lead's meetings",
  Webhook: 'manage_webhooks {action: "list"} lists them',
  'LGPD request': 'lgpd_request {action: "list"} lists them',
};

/** "Lead X was not found for this tenant. Check the id: find the lead with query_leads …". */
export const notFound = (what: string, id: string) =>
  new AppError(
    'not_found',
    `${what} ${id} was not found for this tenant. Check the id: ${FINDS[what] ?? 'the tool that lists these returns it'}.`,
  );
