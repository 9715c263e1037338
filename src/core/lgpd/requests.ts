import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError, notFound } from '../errors.js';
import { DAY_MS, type LgpdRequestStatus, type LgpdRequestType } from '../model/index.js';

/** Art. 18 rights as the tool names them → as stored (lgpd_solicitacoes.tipo). */
export const REQUEST_TYPES = {
  access: 'acesso',
  export: 'exportacao',
  correction: 'correcao',
  erasure: 'eliminacao',
  objection: 'oposicao',
} as const satisfies Record<string, LgpdRequestType>;
export type RequestType = keyof typeof REQUEST_TYPES;
const TYPE_OF = Object.fromEntries(Object.entries(REQUEST_TYPES).map(([k, v]) => [v, k])) as Record<
  string,
  RequestType
>;
const STATUS = { aberta: 'open', concluida: 'done', recusada: 'refused' } as const satisfies Record<
  LgpdRequestStatus,
  string
>;

/** LGPD art. 19 II: a complete answer within 15 days of the request. */
export const ANSWER_DAYS = 15;

export type LgpdRequest = {
  request_id: string;
  type: RequestType;
  status: 'open' | 'done' | 'refused';
  received_at: string;
  due_at: string;
  overdue: boolean;
  completed_at: string | null;
  result: Record<string, unknown>;
};

interface Row {
  solicitacao_id: string;
  tipo: string;
  status: keyof typeof STATUS;
  recebida_em: Date | string;
  prazo_em: Date | string;
  concluida_em: Date | string | null;
  resultado: Record<string, unknown>;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const view = (r: Row, now: Date): LgpdRequest => ({
  request_id: r.solicitacao_id,
  type: TYPE_OF[r.tipo],
  status: STATUS[r.status],
  received_at: iso(r.recebida_em)!,
  due_at: iso(r.prazo_em)!,
  overdue: r.status === 'aberta' && new Date(r.prazo_em) < now,
  completed_at: iso(r.concluida_em),
  result: r.resultado,
});
const COLS = sql`solicitacao_id, tipo, status, recebida_em, prazo_em, concluida_em, resultado`;

export async function openRequest(
  tx: Tx,
  tenantId: string,
  r: { type: RequestType; hashes: string[]; receivedAt: Date; note: string | null; actor: string; now: Date },
): Promise<LgpdRequest> {
  const due = new Date(r.receivedAt.getTime() + ANSWER_DAYS * DAY_MS);
  const { rows } = await sql<Row>`
    insert into lgpd_solicitacoes (tenant_id, tipo, titular_hashes, recebida_em, prazo_em, nota, ator)
    values (${tenantId}, ${REQUEST_TYPES[r.type]}, ${r.hashes}::text[], ${r.receivedAt.toISOString()}, ${due.toISOString()},
            ${r.note}, ${r.actor})
    returning ${COLS}`.execute(tx);
  return view(rows[0], r.now);
}

export async function listRequests(
  tx: Tx,
  tenantId: string,
  now: Date,
  limit: number,
  hashes?: string[],
): Promise<LgpdRequest[]> {
  const { rows } = await sql<Row>`
    select ${COLS} from lgpd_solicitacoes where tenant_id = ${tenantId}
      and (${hashes ?? null}::text[] is null or titular_hashes && ${hashes ?? null}::text[])
    order by (status = 'aberta') desc, prazo_em, recebida_em desc limit ${limit}`.execute(tx);
  return rows.map((r) => view(r, now));
}

/** The open request, or a clear error (not found, already closed, or about someone else). */
export async function openRequestOf(
  tx: Tx,
  tenantId: string,
  id: string,
  hashes?: string[],
): Promise<Row & { titular_hashes: string[] }> {
  const { rows } = await sql<Row & { titular_hashes: string[] }>`
    select ${COLS}, titular_hashes from lgpd_solicitacoes where tenant_id = ${tenantId} and solicitacao_id = ${id} for update`.execute(
    tx,
  );
  const r = rows[0];
  if (!r) throw notFound('LGPD request', id);
  if (r.status !== 'aberta') throw new AppError('conflict', `LGPD request ${id} is already ${STATUS[r.status]}.`);
  if (hashes && !hashes.some((h) => r.titular_hashes.includes(h)))
    throw new AppError('invalid_argument', `The identifiers given are not those of request ${id}.`);
  return r;
}

export async function closeRequest(
  tx: Tx,
  tenantId: string,
  id: string,
  c: { refused: boolean; result: Record<string, unknown>; note: string | null; actor: string; now: Date },
): Promise<LgpdRequest> {
  const { rows } = await sql<Row>`
    update lgpd_solicitacoes set status = ${c.refused ? 'recusada' : 'concluida'}, concluida_em = ${c.now.toISOString()},
      resultado = ${JSON.stringify(c.result)}::jsonb, nota = coalesce(${c.note}, nota), concluida_por = ${c.actor}
    where tenant_id = ${tenantId} and solicitacao_id = ${id} and status = 'aberta'
    returning ${COLS}`.execute(tx);
  if (!rows[0]) throw new AppError('conflict', `LGPD request ${id} is not open.`);
  return view(rows[0], c.now);
}
