import { sql, type SqlBool } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { AppError } from '../../errors.js';
import { allOf, searchConditions, sendableEmailSql, sendablePhoneSql, type LeadSearch } from './lead-search.js';
import { bestEmail, bestPhone, lastDelivery, type LeadSummary } from '../query.js';

export interface LeadFilter extends LeadSearch {
  cursor?: string;
  limit: number;
}

interface Cursor {
  t: string;
  id: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.t === 'string' && /^[0-9a-f-]{36}$/.test(c.id)) return c;
  } catch {
    // fall through
  }
  throw new AppError('invalid_argument', 'cursor is not one this tool returned; omit it to start from the first page.');
}

/** A page of the tenant's leads, newest first, with keyset pagination (one statement). */
export async function selectLeads(
  tx: Tx,
  tenantId: string,
  f: LeadFilter,
): Promise<{ leads: LeadSummary[]; next_cursor: string | null }> {
  let q = tx
    .selectFrom('leads as l')
    .select([
      'l.lead_id',
      'l.nome',
      'l.contato_nome',
      'l.documento',
      'l.documento_tipo',
      'l.documento_valido',
      'l.status',
      'l.timezone',
      'l.created_at',
      bestPhone.as('whatsapp'),
      bestEmail.as('email'),
      lastDelivery.as('ultima_entrega'),
      sql<string>`l.created_at::text`.as('cursor_t'),
    ])
    .where('l.tenant_id', '=', tenantId);
  q = q.where(allOf(searchConditions(f)));
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    q = q.where(sql<SqlBool>`(l.created_at, l.lead_id) < (${c.t}::timestamptz, ${c.id}::uuid)`);
  }
  const rows = await q
    .orderBy('l.created_at', 'desc')
    .orderBy('l.lead_id', 'desc')
    .limit(f.limit + 1)
    .execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    leads: page.map(({ cursor_t: _c, ...r }) => ({ ...r, created_at: new Date(r.created_at).toISOString() })),
    next_cursor: rows.length > f.limit && last ? encodeCursor({ t: last.cursor_t, id: last.lead_id }) : null,
  };
}

/** Totals of the whole search (not the page): by status, and how many each channel reaches. */
export async function countLeads(tx: Tx, tenantId: string, f: LeadSearch): Promise<LeadTotals> {
  const rows = await tx
    .selectFrom('leads as l')
    .select([
      'l.status',
      sql<string>`count(*)`.as('n'),
      sql<string>`count(*) filter (where ${sendablePhoneSql})`.as('whatsapp'),
      sql<string>`count(*) filter (where ${sendableEmailSql})`.as('email'),
      sql<string>`count(*) filter (where not ${sendablePhoneSql} and not ${sendableEmailSql})`.as('none'),
    ])
    .where('l.tenant_id', '=', tenantId)
    .where(allOf(searchConditions(f)))
    .groupBy('l.status')
    .orderBy('l.status')
    .execute();
  const totals: LeadTotals = { total: 0, by_status: {}, whatsapp: 0, email: 0, none: 0 };
  for (const r of rows) {
    totals.by_status[r.status] = Number(r.n);
    totals.total += Number(r.n);
    totals.whatsapp += Number(r.whatsapp);
    totals.email += Number(r.email);
    totals.none += Number(r.none);
  }
  return totals;
}

export interface LeadTotals {
  total: number;
  by_status: Record<string, number>;
  /** Leads with a WhatsApp-sendable phone; with a sendable e-mail; with neither. */
  whatsapp: number;
  email: number;
  none: number;
}
