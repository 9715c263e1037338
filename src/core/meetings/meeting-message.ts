/**
 * A meeting's confirmation or reminder to the lead: queued through the same outbox and executor as
 * every send (a disparo tied to the agendamento, one per meeting time and kind). With sending off it
 * is a dry run. Opt-out and the suppression list block it; outside the lead's send window it is
 * deferred, not dropped. The per-lead daily cap does not apply: the lead asked for this meeting.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { maskDestination } from '../outreach/preview.js';
import type { Tx } from '../../db/tenant.js';
import { meetingMessageKey, type SendChannel } from '../model/index.js';
import { loadPolicy, type OutreachPolicy } from '../outreach/policy.js';
import { resolveTemplate } from '../outreach/templates.js';
import { whatsappFormFor } from '../outreach/whatsapp-form.js';
import { formVariables } from '../templates/approved.js';
import { checkSendWindow } from '../policy/index.js';
import type { Scope } from '../scope.js';
import { leadVariables, renderTemplate } from '../templates/index.js';
import { localLabel } from '../time/index.js';
import { sendingOffReason } from './dry-run.js';
import { disparoIdByKey, insertDryRun, insertMessage } from './sql/meeting-messages.js';
import { leadContact, type LeadContact } from './sql/leads.js';

export const meetingMessageOutput = z.object({
  status: z.enum(['enfileirado', 'adiado', 'dry_run', 'bloqueado', 'duplicado']),
  channel: z.enum(['whatsapp', 'email', 'none']),
  destination: z.string().nullable(),
  template: z.string().nullable(),
  reason: z.string(),
  message: z.string().nullable(),
  disparo_id: z.string().nullable(),
  scheduled_for: z.string().nullable(),
});
export type MeetingMessage = z.infer<typeof meetingMessageOutput>;

export type MeetingMessageKind = 'confirmacao' | 'lembrete';

/** What a message needs of its meeting. */
export interface MeetingRef {
  agendamento_id: string;
  lead_id: string;
  inicio: Date;
  timezone: string;
  local: string | null;
}

const blocked = (reason: string): MeetingMessage => ({
  status: 'bloqueado',
  channel: 'none',
  destination: null,
  template: null,
  reason,
  message: null,
  disparo_id: null,
  scheduled_for: null,
});

/** WhatsApp when the lead has a valid phone and the channel is configured, else e-mail, else why not. */
function pickChannel(scope: Scope, c: LeadContact): SendChannel | string {
  if (c.status === 'opt_out' || c.suprimido) return 'lead em opt-out ou na lista de supressão: nenhuma mensagem';
  const configured = scope.configuredChannels?.() ?? new Set();
  if (c.telefone && configured.has('whatsapp')) return 'whatsapp';
  if (c.email && configured.has('email')) return 'email';
  return c.telefone || c.email
    ? 'o canal do lead não está configurado neste servidor (mcp.json)'
    : 'lead não possui telefone nem e-mail válidos';
}

/** A rendered message, ready to be queued or rehearsed. */
interface Draft {
  contact: LeadContact;
  channel: SendChannel;
  destination: string;
  template: string;
  vars: Record<string, string>;
  rendered: Extract<ReturnType<typeof renderTemplate>, { ok: true }>;
  /** WhatsApp: the form it goes in (disparos.variaveis __forma / __modelo, core/templates/approved.ts). */
  form: Record<string, unknown>;
  /** When it may leave: now inside the lead's send window, else the window's next opening. */
  when: Date;
  /** Why it waits (outside the send window), or null. */
  deferred: string | null;
}

/** Queues (or rehearses) the confirmation or the reminder of a meeting; never throws for a blocked lead. */
export async function queueMeetingMessage(
  tx: Tx,
  scope: Scope,
  m: MeetingRef,
  kind: MeetingMessageKind,
  policy?: OutreachPolicy,
): Promise<MeetingMessage> {
  const now = scope.clock.now();
  const pol = policy ?? (await loadPolicy(tx, scope.tenant));
  const contact = await leadContact(tx, scope.tenant.tenant_id, m.lead_id);
  if (!contact) return blocked('lead não encontrado');
  const channel = pickChannel(scope, contact);
  if (channel !== 'whatsapp' && channel !== 'email') return blocked(channel);
  const destination = channel === 'whatsapp' ? contact.telefone! : contact.email!;
  const def = await resolveTemplate(tx, scope.tenant.tenant_id, `${kind}_reuniao_${channel}_v1`);
  const vars = {
    ...leadVariables(contact, pol.remetente),
    ...localLabel(m.inicio, m.timezone).vars,
    link_ou_local: m.local?.trim() || 'a combinar',
  };
  const rendered = renderTemplate(def, vars);
  if (!rendered.ok)
    return { ...blocked(rendered.motivo), channel, destination: mask(channel, destination), template: def.id };
  // WhatsApp: free text inside the person's 24-hour window, else the approved template (or why not).
  const wa = channel === 'whatsapp' ? await whatsappFormFor(tx, scope, def, destination) : null;
  if (wa && wa.form === null)
    return {
      ...blocked(`${wa.code}: ${wa.reason}`),
      channel,
      destination: mask(channel, destination),
      template: def.id,
    };
  const w = checkSendWindow(now, contact.timezone, pol.janela);
  const draft: Draft = {
    contact,
    channel,
    destination,
    template: def.id,
    vars,
    rendered,
    form: wa?.form ? formVariables(wa.form, wa.identity, vars, wa.windowUntil) : {},
    when: w.inside ? now : (w.next ?? now),
    deferred: w.inside ? null : w.motivo,
  };
  return scope.sending.enabled ? enqueue(tx, scope, m, kind, draft) : rehearse(tx, scope, m, kind, draft);
}

const mask = (channel: SendChannel, destination: string) =>
  maskDestination(channel, { telefone: destination, email: destination });

/** The part of the answer both paths share. */
const described = (d: Draft) => ({
  channel: d.channel,
  destination: mask(d.channel, d.destination),
  template: d.template,
  message: d.rendered.texto,
  scheduled_for: d.deferred ? d.when.toISOString() : null,
});

/** Sending off: a dry_run_log row says what would go, and when. */
async function rehearse(tx: Tx, scope: Scope, m: MeetingRef, kind: MeetingMessageKind, d: Draft) {
  await insertDryRun(tx, {
    tenant_id: scope.tenant.tenant_id,
    lead_id: m.lead_id,
    lead_nome: d.contact.nome.slice(0, 500),
    lead_telefone: d.contact.telefone,
    lead_email: d.contact.email?.slice(0, 255) ?? null,
    canal_decidido: d.channel,
    motivo_decisao: `${kind === 'lembrete' ? 'lembrete' : 'confirmação'} da reunião ${m.agendamento_id}`,
    template_selecionado: d.template,
    disparo_seria_executado: !d.deferred,
    razao_bloqueio: d.deferred,
    lote_id: randomUUID(),
    codigo_bloqueio: d.deferred ? 'fora_da_janela' : null,
    disparo_previsto_para: d.deferred ? d.when : null,
    mensagem_renderizada: d.rendered.texto,
  });
  const reason = `Dry run: nothing was sent (${sendingOffReason(scope)}).`;
  return { ...described(d), status: 'dry_run' as const, disparo_id: null, reason };
}

/** Sending on: a disparo in the outbox, once per meeting time and kind. */
async function enqueue(tx: Tx, scope: Scope, m: MeetingRef, kind: MeetingMessageKind, d: Draft) {
  const key = meetingMessageKey(m.agendamento_id, kind, m.inicio);
  const r = d.rendered;
  const disparoId = await insertMessage(tx, {
    tenant_id: scope.tenant.tenant_id,
    lead_id: m.lead_id,
    agendamento_id: m.agendamento_id,
    canal: d.channel,
    destino: d.destination,
    template: d.template,
    variaveis: JSON.stringify({
      ...d.vars,
      ...(r.html ? { __html: r.html } : {}),
      ...(r.parametros ? { __parametros: r.parametros } : {}),
      ...d.form,
    }),
    conteudo: r.texto,
    assunto: r.assunto ?? null,
    idempotency_key: key,
    status: d.deferred ? 'adiado' : 'pendente',
    proxima_tentativa_em: d.when,
    motivo: d.deferred,
  });
  if (!disparoId) {
    const previous = await disparoIdByKey(tx, scope.tenant.tenant_id, key);
    const reason = 'esta mensagem já foi enfileirada para este horário da reunião';
    return { ...described(d), status: 'duplicado' as const, disparo_id: previous, reason };
  }
  return d.deferred
    ? { ...described(d), status: 'adiado' as const, disparo_id: disparoId, reason: d.deferred }
    : {
        ...described(d),
        status: 'enfileirado' as const,
        disparo_id: disparoId,
        reason: `na fila de envio por ${d.channel}`,
      };
}
