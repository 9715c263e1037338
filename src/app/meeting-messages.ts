import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { bestEmail, bestPhone } from '../core/leads/query.js';
import { localLabel } from '../core/meetings/index.js';
import type { Decision } from '../core/outreach/decide.js';
import { loadPolicy, type OutreachPolicy } from '../core/outreach/policy.js';
import { suppressedLeadsSql } from '../core/outreach/suppression.js';
import { resolveTemplate } from '../core/outreach/templates.js';
import { checkSendWindow } from '../core/policy/index.js';
import { leadVariables, renderTemplate } from '../core/templates/index.js';
import type { Tx } from '../db/tenant.js';
import type { ServerDeps } from '../deps.js';
import { maskDestination } from './outreach.js';

export type MeetingMessageKind = 'confirmacao' | 'lembrete';

/** What happened to a confirmation or reminder. */
export interface MeetingMessage {
  /** enfileirado (the executor sends it) | adiado (queued for the send window) | dry_run | bloqueado | duplicado */
  status: 'enfileirado' | 'adiado' | 'dry_run' | 'bloqueado' | 'duplicado';
  canal: 'whatsapp' | 'email' | 'none';
  destino: string | null;
  template: string | null;
  motivo: string;
  mensagem: string | null;
  disparo_id: string | null;
  previsto_para: string | null;
}

export interface MeetingRef {
  agendamento_id: string;
  lead_id: string;
  inicio: Date;
  timezone: string;
  local: string | null;
}

type Contact = Pick<
  Decision,
  'nome' | 'contato_nome' | 'documento' | 'documento_tipo' | 'status' | 'timezone' | 'telefone' | 'email'
> & {
  suprimido: boolean;
};

/** A lead with its first valid phone and e-mail and whether it is suppressed. */
export async function leadContact(tx: Tx, tenantId: string, leadId: string): Promise<Contact | undefined> {
  const { rows } = await sql<Contact>`
    with alvo as (select ${leadId}::uuid as lead_id)
    select l.nome, l.contato_nome, l.documento, l.documento_tipo, l.status, l.timezone,
      ${bestPhone} as telefone, ${bestEmail} as email,
      exists (select 1 from (${suppressedLeadsSql(tenantId)}) s) as suprimido
    from leads l where l.tenant_id = ${tenantId} and l.lead_id = ${leadId}`.execute(tx);
  return rows[0];
}

/**
 * Queues the confirmation or the reminder of a meeting for the lead, through the same outbox and
 * executor as every send (a disparo tied to the agendamento, one per meeting time and kind). With
 * MICRO_AGENT_DISPARO_ENABLED not exactly "true" it records a dry run instead. Opt-out and the
 * suppression list block it; outside the lead's send window it is deferred, not dropped. The
 * per-lead daily cap does not apply: the lead asked for this meeting.
 */
export async function queueMeetingMessage(
  tx: Tx,
  deps: ServerDeps,
  m: MeetingRef,
  kind: MeetingMessageKind,
  policy?: OutreachPolicy,
): Promise<MeetingMessage> {
  const t = deps.tenant.tenant_id;
  const now = deps.clock.now();
  const pol = policy ?? (await loadPolicy(tx, deps.tenant));
  const c = await leadContact(tx, t, m.lead_id);
  const none = (motivo: string): MeetingMessage => ({
    status: 'bloqueado',
    canal: 'none',
    destino: null,
    template: null,
    motivo,
    mensagem: null,
    disparo_id: null,
    previsto_para: null,
  });
  if (!c) return none('lead não encontrado');
  if (c.status === 'opt_out' || c.suprimido) return none('lead em opt-out ou na lista de supressão: nenhuma mensagem');
  const configured = new Set(
    deps
      .channels()
      .filter((s) => s.state === 'configured')
      .map((s) => s.channel),
  );
  const canal: 'whatsapp' | 'email' | null =
    c.telefone && configured.has('whatsapp') ? 'whatsapp' : c.email && configured.has('email') ? 'email' : null;
  if (!canal)
    return none(
      c.telefone || c.email
        ? 'o canal do lead não está configurado neste servidor (mcp.json)'
        : 'lead não possui telefone nem e-mail válidos',
    );
  const destino = canal === 'whatsapp' ? c.telefone! : c.email!;
  const def = await resolveTemplate(tx, t, `${kind}_reuniao_${canal}_v1`);
  const vars = {
    ...leadVariables(c, pol.remetente),
    ...localLabel(m.inicio, m.timezone).vars,
    link_ou_local: m.local?.trim() || 'a combinar',
  };
  const r = renderTemplate(def, vars);
  const masked = maskDestination(canal, { telefone: destino, email: destino });
  if (!r.ok) return { ...none(r.motivo), canal, destino: masked, template: def.id };
  const w = checkSendWindow(now, c.timezone, pol.janela);
  const later = !w.inside;
  const when = later ? (w.next ?? now) : now;
  const base = {
    canal,
    destino: masked,
    template: def.id,
    mensagem: r.texto,
    previsto_para: later ? when.toISOString() : null,
  };
  if (!deps.config.dispatchEnabled) {
    const flag = deps.config.dispatchFlagRaw === undefined ? 'unset' : JSON.stringify(deps.config.dispatchFlagRaw);
    await tx
      .insertInto('dry_run_log')
      .values({
        tenant_id: t,
        lead_id: m.lead_id,
        lead_nome: c.nome.slice(0, 500),
        lead_telefone: c.telefone,
        lead_email: c.email?.slice(0, 255) ?? null,
        canal_decidido: canal,
        motivo_decisao: `${kind === 'lembrete' ? 'lembrete' : 'confirmação'} da reunião ${m.agendamento_id}`,
        template_selecionado: def.id,
        disparo_seria_executado: !later,
        razao_bloqueio: later ? w.motivo : null,
        lote_id: randomUUID(),
        codigo_bloqueio: later ? 'fora_da_janela' : null,
        disparo_previsto_para: later ? when : null,
        mensagem_renderizada: r.texto,
      })
      .execute();
    return {
      ...base,
      status: 'dry_run',
      disparo_id: null,
      motivo: `Dry run: nothing was sent (MICRO_AGENT_DISPARO_ENABLED is ${flag}, not "true").`,
    };
  }
  const key = `ag:${m.agendamento_id}:${kind}:${m.inicio.toISOString()}`;
  const inserted = await tx
    .insertInto('disparos')
    .values({
      tenant_id: t,
      lead_id: m.lead_id,
      agendamento_id: m.agendamento_id,
      canal,
      destino,
      template: def.id,
      variaveis: JSON.stringify({
        ...vars,
        ...(r.html ? { __html: r.html } : {}),
        ...(r.parametros ? { __parametros: r.parametros } : {}),
      }),
      conteudo: r.texto,
      assunto: r.assunto ?? null,
      idempotency_key: key,
      status: later ? 'adiado' : 'pendente',
      proxima_tentativa_em: when,
      motivo: later ? w.motivo : null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .returning('disparo_id')
    .executeTakeFirst();
  if (!inserted) {
    const prev = await tx
      .selectFrom('disparos')
      .select('disparo_id')
      .where('tenant_id', '=', t)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return {
      ...base,
      status: 'duplicado',
      disparo_id: prev?.disparo_id ?? null,
      motivo: 'esta mensagem já foi enfileirada para este horário da reunião',
    };
  }
  return {
    ...base,
    status: later ? 'adiado' : 'enfileirado',
    disparo_id: inserted.disparo_id,
    motivo: later ? w.motivo : `na fila de envio por ${canal}`,
  };
}
