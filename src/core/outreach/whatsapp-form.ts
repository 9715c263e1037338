import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import type { Scope } from '../scope.js';
import {
  identityFor,
  templateBlock,
  TEMPLATE_BLOCK_TEXT,
  WHATSAPP_WINDOW_MS,
  whatsappProviderOf,
  type ApprovedIdentity,
  type MessageForm,
} from '../templates/approved.js';
import type { TemplateDef } from '../templates/types.js';

/** How one WhatsApp message to `phone` goes now, or why it cannot (code and pt-BR reason). */
export type WhatsappForm =
  | { form: MessageForm; identity: ApprovedIdentity | null; windowUntil?: Date }
  | { form: null; code: string; reason: string };

/**
 * The form of a single WhatsApp message (a meeting's confirmation or reminder), as the decision query
 * decides it for many (window-sql.ts): inside the person's 24-hour window free text; outside it the
 * approved template, else blocked — and, as there, a template registered as marketing is blocked to a
 * person who stopped marketing from us (131050: restricoes_marketing). One statement: the last inbound
 * time, the registry row and the refusal.
 */
export async function whatsappFormFor(tx: Tx, scope: Scope, def: TemplateDef, phone: string): Promise<WhatsappForm> {
  const provider = whatsappProviderOf(scope.channelStates?.().find((c) => c.channel === 'whatsapp')?.preset);
  if (provider === 'livre') return { form: 'texto_livre', identity: null };
  const t = scope.tenant.tenant_id;
  const { rows } = await sql<{ ultima: Date | null; aprovado: ApprovedIdentity | null; recusou: boolean }>`
    select (select max(m.recebida_em) from mensagens_recebidas m where m.tenant_id = ${t} and m.canal = 'whatsapp'
              and m.remetente_formas @> array[${phone}]::text[]) as ultima,
           (select to_json(a) from modelos_aprovados a where a.tenant_id = ${t} and a.template_id = ${def.id}
              and a.provedor = ${provider === 'twilio' ? 'twilio' : 'meta'}) as aprovado,
           exists (select 1 from restricoes_marketing r where r.tenant_id = ${t} and r.telefone = ${phone}) as recusou`.execute(
    tx,
  );
  const { ultima, aprovado, recusou } = rows[0]!;
  const identity = identityFor(def, provider, aprovado);
  const until = ultima ? new Date(new Date(ultima).getTime() + WHATSAPP_WINDOW_MS) : null;
  if (until && until > scope.clock.now()) return { form: 'texto_livre', identity, windowUntil: until };
  const block =
    templateBlock(identity) ?? (identity?.categoria === 'marketing' && recusou ? 'marketing_recusado' : null);
  return block ? { form: null, code: block, reason: TEMPLATE_BLOCK_TEXT[block] } : { form: 'modelo', identity };
}
