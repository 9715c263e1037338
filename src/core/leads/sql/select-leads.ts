import { sql, type SqlBool } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { AppError } from '../../errors.js';
import type { LeadStatus } from '../../model/index.js';
import { nameKey } from '../../normalize/index.js';
import { bestEmail, bestPhone, lastDelivery, type LeadSummary } from '../query.js';

export interface LeadFilter {
  status?: LeadStatus[];
  has_whatsapp?: boolean;
  has_email?: boolean;
  text?: string;
  source_job_id?: string;
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

const escapeLike = (s: string) => s.replace(/[%_\\]/g, (m) => `\\${m}`);

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
  if (f.status?.length) q = q.where('l.status', 'in', f.status);
  if (f.has_whatsapp !== undefined) {
    const exists = sql<SqlBool>`exists (select 1 from lead_telefones lt where lt.lead_id = l.lead_id and lt.valido_para_disparo)`;
    q = q.where(f.has_whatsapp ? exists : sql<SqlBool>`not ${exists}`);
  }
  if (f.has_email !== undefined) {
    const exists = sql<SqlBool>`exists (select 1 from lead_emails le where le.lead_id = l.lead_id and le.valido_para_disparo)`;
    q = q.where(f.has_email ? exists : sql<SqlBool>`not ${exists}`);
  }
  if (f.text) {
    const text = f.text;
    const key = `%${escapeLike(nameKey(text))}%`;
    const digits = text.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    q = q.where((eb) =>
      eb.or([
        eb('l.nome_chave', 'like', key),
        sql<SqlBool>`lower(coalesce(l.contato_nome, '')) like ${`%${escapeLike(text.toLowerCase())}%`}`,
        ...(digits.length >= 3 ? [eb('l.documento', 'like', `${digits}%`)] : []),
      ]),
    );
  }
  if (f.source_job_id) q = q.where(sql<SqlBool>`l.origem @> ${JSON.stringify([{ job_id: f.source_job_id }])}::jsonb`);
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
