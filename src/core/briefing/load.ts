import type { Tx } from '../../db/tenant.js';
import { notFound } from '../errors.js';
import { getLead } from '../leads/query.js';
import { buildBriefing, type Briefing } from './build.js';

/** How much history a briefing reads: enough for a conversation, bounded for a lead messaged for years. */
const HISTORY_LIMIT = 200;

export interface BriefingTarget {
  leadId?: string;
  agendamentoId?: string;
}

/** Reads a lead's data and history (or a meeting's lead) and builds its briefing. */
export async function loadBriefing(tx: Tx, tenantId: string, target: BriefingTarget, now: Date): Promise<Briefing> {
  let leadId = target.leadId;
  if (target.agendamentoId) {
    const ag = await tx
      .selectFrom('agendamentos')
      .select('lead_id')
      .where('tenant_id', '=', tenantId)
      .where('agendamento_id', '=', target.agendamentoId)
      .executeTakeFirst();
    if (!ag) throw notFound('Agendamento', target.agendamentoId);
    leadId = ag.lead_id;
  }
  if (!leadId) throw notFound('Lead', '(none given)');
  const lead = await getLead(tx, tenantId, leadId);
  if (!lead) throw notFound('Lead', leadId);

  const [disparos, respostas, reunioes] = await Promise.all([
    tx
      .selectFrom('disparos')
      .select([
        'disparo_id',
        'canal',
        'template',
        'status',
        'motivo',
        'erro',
        'conteudo',
        'enviado_em',
        'created_at',
        'updated_at',
      ])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('created_at', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
    tx
      .selectFrom('mensagens_recebidas')
      .select(['canal', 'texto', 'classe', 'recebida_em'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('recebida_em', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
    tx
      .selectFrom('agendamentos')
      .select(['agendamento_id', 'inicio', 'fim', 'timezone', 'titulo', 'local', 'status', 'erro', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('inicio', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
  ]);
  const d = (v: Date | string) => (v instanceof Date ? v : new Date(v));
  return buildBriefing({
    lead,
    disparos: disparos.map((r) => ({
      ...r,
      enviado_em: r.enviado_em ? d(r.enviado_em) : null,
      created_at: d(r.created_at),
      updated_at: d(r.updated_at),
    })),
    respostas: respostas.map((r) => ({ ...r, recebida_em: d(r.recebida_em) })),
    reunioes: reunioes.map((r) => ({ ...r, inicio: d(r.inicio), fim: d(r.fim), created_at: d(r.created_at) })),
    agendamentoId: target.agendamentoId,
    now,
  });
}
