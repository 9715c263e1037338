import { z } from 'zod';
import { AppError } from '../errors.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { eraseSubject } from './erase.js';
import { collectRows, findSubject } from './find.js';
import {
  closeRequest,
  listRequests,
  openRequest,
  openRequestOf,
  REQUEST_TYPES,
  type LgpdRequest,
  type RequestType,
} from './requests.js';
import { subjectOf, type SubjectInput } from './subject.js';

const ACTIONS = ['open', 'list', 'export', 'erase', 'complete', 'refuse'] as const;
const TYPES = Object.keys(REQUEST_TYPES) as [RequestType, ...RequestType[]];

export const lgpdRequestInput = {
  action: z.enum(ACTIONS),
  type: z.enum(TYPES).optional().describe('For open'),
  document: z.string().max(40).optional(),
  phone: z.string().max(40).optional(),
  email: z.string().max(320).optional(),
  request_id: uuid().optional(),
  received_at: z.string().max(40).optional().describe('ISO; default now'),
  note: z.string().max(500).optional(),
};

/** A request as the tool shows it (requests.ts LgpdRequest); typed loosely in the schema to keep tools/list small. */
export const lgpdRequestOutput = {
  action: z.string(),
  requests: z.array(z.record(z.string(), z.unknown())),
};

/** What the use case returns: the schema's fields and, for export / erase, the rows or the counts. */
interface Output {
  action: string;
  requests: LgpdRequest[];
  /** export: the person's rows by table (at most EXPORT_LIMIT each). */
  data?: Record<string, Record<string, unknown>[]>;
  truncated?: string[];
  /** erase: rows changed per table. */
  changed?: Record<string, number>;
}

/** Rows per table an export call returns; the CLI (`lgpd export`) writes them all to a file. */
export const EXPORT_LIMIT = 200;

/**
 * LGPD requests (art. 18/19): open one (stored with hashes of the identifiers, due in 15 days), list
 * them, export everything about the person, erase them (only with an open erasure request for the same
 * person; completes it), complete or refuse one.
 */
export async function lgpdRequest(scope: Scope, input: Infer<typeof lgpdRequestInput>): Promise<Output> {
  const t = scope.tenant.tenant_id;
  const now = scope.clock.now();
  const actor = scope.actorLabel;
  const ids: SubjectInput = { document: input.document, phone: input.phone, email: input.email };
  const given = !!(ids.document || ids.phone || ids.email);
  if (input.action !== 'list') await scope.assertWritable();
  return scope.tx(async (tx) => {
    switch (input.action) {
      case 'list': {
        const hashes = given ? (await findSubject(tx, t, subjectOf(ids))).hashes : undefined;
        return { action: 'list', requests: await listRequests(tx, t, now, 100, hashes) };
      }
      case 'open': {
        if (!input.type) throw new AppError('invalid_argument', `open needs type (${TYPES.join(', ')}).`);
        const found = await findSubject(tx, t, subjectOf(ids));
        const receivedAt = input.received_at ? new Date(input.received_at) : now;
        if (Number.isNaN(receivedAt.getTime()) || receivedAt > now)
          throw new AppError('invalid_argument', 'received_at must be an ISO date-time, not in the future.');
        const r = await openRequest(tx, t, {
          type: input.type,
          hashes: found.hashes,
          receivedAt,
          note: input.note ?? null,
          actor,
          now,
        });
        scope.logger.info({ request_id: r.request_id, type: r.type, leads: found.leads.length }, 'lgpd request opened');
        return { action: 'open', requests: [r] };
      }
      case 'export': {
        const found = await findSubject(tx, t, subjectOf(ids));
        const { tables, truncated } = await collectRows(tx, t, found, EXPORT_LIMIT);
        scope.logger.info({ leads: found.leads.length }, 'lgpd export');
        return {
          action: 'export',
          requests: await listRequests(tx, t, now, 20, found.hashes),
          data: tables,
          truncated,
        };
      }
      case 'erase': {
        if (!input.request_id)
          throw new AppError('invalid_argument', 'erase needs the request_id of an open erasure request.');
        const found = await findSubject(tx, t, subjectOf(ids));
        const req = await openRequestOf(tx, t, input.request_id, found.hashes);
        if (req.tipo !== REQUEST_TYPES.erasure)
          throw new AppError('invalid_argument', `Request ${input.request_id} is not an erasure request.`);
        const changed = await eraseSubject(tx, t, found, actor);
        const r = await closeRequest(tx, t, input.request_id, {
          refused: false,
          result: { leads: found.leads.length, changed },
          note: input.note ?? null,
          actor,
          now,
        });
        scope.logger.info({ request_id: r.request_id, leads: found.leads.length, changed }, 'lgpd erase');
        return { action: 'erase', requests: [r], changed };
      }
      case 'complete':
      case 'refuse': {
        if (!input.request_id) throw new AppError('invalid_argument', `${input.action} needs request_id.`);
        await openRequestOf(tx, t, input.request_id);
        const r = await closeRequest(tx, t, input.request_id, {
          refused: input.action === 'refuse',
          result: {},
          note: input.note ?? null,
          actor,
          now,
        });
        return { action: input.action, requests: [r] };
      }
    }
  });
}
