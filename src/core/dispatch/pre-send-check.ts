import { AGENDAMENTO_STANDING, OUTREACH_SENDABLE } from '../model/index.js';
import { checkSendWindow, collectionWindow, legalWindow, ruleSource, type SendWindowConfig } from '../policy/index.js';
import { sendsAsTemplate, statusBlock, TEMPLATE_BLOCK_TEXT } from '../templates/approved.js';
import type { Claimed, Outcome } from './outcome.js';
import type { PreSendFact } from './sql/pre-send-facts.js';

/**
 * How long a message held by a paused template waits before it is looked at again: Meta pauses a
 * template for 3 hours the first time (6 the second; the third time it disables it). The registry changes
 * back with manage_templates (register status approved); the row goes at the first look after that.
 */
export const PAUSED_TEMPLATE_RECHECK_MS = 3 * 3600_000;

/**
 * The rows that must not go now, checked again right before the downstream call (a person may have
 * opted out, a lead moved on, a meeting been cancelled, or the window closed since the row was queued):
 * - no facts for a claimed row (the tenant scope cannot see it) → bloqueado: never sent unchecked;
 * - opt-out or suppression list → bloqueado;
 * - a meeting's message whose meeting no longer stands, or has already started → cancelado; to a lead now
 *   perdido → bloqueado;
 * - an outreach message to a lead no longer sendable (OUTREACH_SENDABLE) → bloqueado;
 * - a collection message while the creditor is unset, to a destination another lead has too, or about a
 *   lead whose debts are all prescribed now → bloqueado (credor_nao_configurado, contato_compartilhado,
 *   divida_prescrita);
 * - an outreach WhatsApp message to a phone an opt-out registry in force lists → bloqueado (registro_nao_perturbe);
 * - a WhatsApp message that goes as its approved template (outside the 24-hour window) while the registry
 *   says that template is rejected or disabled → bloqueado (template_desativado); paused → adiado
 *   (template_pausado), looked at again every PAUSED_TEMPLATE_RECHECK_MS, its attempt not counted;
 *   a template registered as marketing to a person who stopped marketing from us → bloqueado (marketing_recusado);
 * - outside the send window in the lead's zone (its UF's state holidays included; for a collection the
 *   window narrowed to the UF's law, Sundays never) → adiado until it opens.
 * Pure: the window is evaluated at `now` with the tenant's configuration.
 */
export function preSendStops(
  rows: readonly Claimed[],
  facts: readonly PreSendFact[],
  window: SendWindowConfig,
  now: Date,
  collections: { credorSet: boolean } = { credorSet: true },
): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  const block = (disparo_id: string, status: 'bloqueado' | 'cancelado', motivo: string) =>
    out.set(disparo_id, { disparo_id, status, motivo, erro_classe: 'politica' });
  const seen = new Set(facts.map((f) => f.disparo_id));
  const claimed = new Map(rows.map((r) => [r.disparo_id, r]));
  for (const r of rows) {
    if (!seen.has(r.disparo_id)) block(r.disparo_id, 'bloqueado', 'verificação antes do envio não encontrou o disparo');
  }
  const windows = new Map<string, ReturnType<typeof checkSendWindow>>();
  for (const f of facts) {
    if (f.status === 'opt_out' || f.suprimido) {
      block(f.disparo_id, 'bloqueado', 'opt-out / lista de supressão verificada antes do envio');
      continue;
    }
    if (f.agendamento_status !== null) {
      // A meeting's confirmation or reminder goes to a lead in a meeting state, only while the meeting stands.
      if (!AGENDAMENTO_STANDING.includes(f.agendamento_status)) {
        block(f.disparo_id, 'cancelado', `reunião ${f.agendamento_status} antes do envio`);
        continue;
      }
      // Held past the meeting's start (the send window, a paused template, a retry): too late to help.
      if (f.agendamento_inicio && new Date(f.agendamento_inicio).getTime() <= now.getTime()) {
        block(f.disparo_id, 'cancelado', 'reunião já começou antes do envio');
        continue;
      }
      if (f.status === 'perdido') {
        block(f.disparo_id, 'bloqueado', 'lead perdido antes do envio');
        continue;
      }
    } else if (!OUTREACH_SENDABLE.includes(f.status)) {
      block(f.disparo_id, 'bloqueado', `estado do lead mudou para ${f.status} antes do envio`);
      continue;
    }
    if (f.registro) {
      block(
        f.disparo_id,
        'bloqueado',
        `registro_nao_perturbe: telefone no cadastro de bloqueio "${f.registro}" em vigor`,
      );
      continue;
    }
    if (f.cobranca && !collections.credorSet) {
      block(f.disparo_id, 'bloqueado', 'credor_nao_configurado: cobrança sem credor identificado (CDC art. 42-A)');
      continue;
    }
    if (f.cobranca && f.compartilhado) {
      block(f.disparo_id, 'bloqueado', 'contato_compartilhado: destino também é de outro lead (CDC art. 42)');
      continue;
    }
    if (f.cobranca && f.dividas && f.dividas === f.dividas_prescritas) {
      block(f.disparo_id, 'bloqueado', 'divida_prescrita: todas as dívidas do lead prescreveram antes do envio');
      continue;
    }
    const r = claimed.get(f.disparo_id);
    const asTemplate = r?.canal === 'whatsapp' && sendsAsTemplate(r.variaveis ?? {}, now);
    const held = asTemplate && f.modelo_status ? statusBlock(f.modelo_status) : null;
    if (held === 'template_desativado') {
      // Disabled or rejected does not come back: the queued payload names a template that will not go.
      block(f.disparo_id, 'bloqueado', `template_desativado: ${TEMPLATE_BLOCK_TEXT.template_desativado}`);
      continue;
    }
    if (asTemplate && f.marketing_recusado) {
      // The person stopped marketing from us since it was queued (131050), for good: blocked as the
      // decision would, paused or not.
      block(f.disparo_id, 'bloqueado', `marketing_recusado: ${TEMPLATE_BLOCK_TEXT.marketing_recusado}`);
      continue;
    }
    if (held === 'template_pausado') {
      // A pause usually ends (Meta: hours): the message waits for the template, not counted as an attempt
      // (a hold that repeats must not spend the attempts the send will need).
      out.set(f.disparo_id, {
        disparo_id: f.disparo_id,
        status: 'adiado',
        motivo:
          `template_pausado: ${TEMPLATE_BLOCK_TEXT.template_pausado}; aguarda o modelo voltar a ser aprovado ` +
          `(manage_templates register com status approved) — nova verificação em ${PAUSED_TEMPLATE_RECHECK_MS / 3600_000} h`,
        proxima: new Date(now.getTime() + PAUSED_TEMPLATE_RECHECK_MS),
        devolvido: true,
      });
      continue;
    }
    const key = `${f.timezone}|${f.uf ?? ''}|${f.cobranca ? 'c' : ''}`;
    if (!windows.has(key)) windows.set(key, windowAt(now, f, window));
    const w = windows.get(key)!;
    if (!w.inside)
      out.set(f.disparo_id, { disparo_id: f.disparo_id, status: 'adiado', motivo: w.motivo, proxima: w.next });
  }
  return out;
}

/** The window a row must wait for: the tenant's, for a collection narrowed to the UF's law (the law named when it is why). */
function windowAt(now: Date, f: PreSendFact, window: SendWindowConfig): ReturnType<typeof checkSendWindow> {
  if (!f.cobranca) return checkSendWindow(now, f.timezone, { ...window, uf: f.uf });
  const w = checkSendWindow(now, f.timezone, collectionWindow(window, f.uf));
  if (w.inside || checkSendWindow(now, f.timezone, legalWindow(f.uf)).inside) return w;
  return { ...w, motivo: `fora_do_horario_cobranca: ${w.motivo} — horário de cobrança por lei (${ruleSource(f.uf)})` };
}
