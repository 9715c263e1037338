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
 * approved template, else blocked. One statement: the last inbound time and the registry row.
 */
export async function whatsappFormFor(tx: Tx, scope: Scope, def: TemplateDef, phone: string): Promise<WhatsappForm> {
  const provider = whatsappProviderOf(scope.channelStates?.().find((c) => c.channel === 'whatsapp')?.preset);
  if (provider === 'livre') return { form: 'texto_livre', identity: null };
  const t = scope.tenant.tenant_id;
  const { rows } = await sql<{ ultima: Date | null; aprovado: ApprovedIdentity | null }>`
    select (select max(m.recebida_em) from mensagens_recebidas m where m.tenant_id = ${t} and m.canal = 'whatsapp'
              and m.remetente_formas @> array[${phone}]::text[]) as ultima,
           (select to_json(a) from modelos_aprovados a where a.tenant_id = ${t} and a.template_id = ${def.id}
              and a.provedor = ${provider === 'twilio' ? 'twilio' : 'meta'}) as aprovado`.execute(tx);
  const { ultima, aprovado } = rows[0]!;
  const identity = identityFor(def, provider, aprovado);
  const until = ultima ? new Date(new Date(ultima).getTime() + WHATSAPP_WINDOW_MS) : null;
  if (until && until > scope.clock.now()) return { form: 'texto_livre', identity, windowUntil: until };
  const block = templateBlock(identity);
  return block ? { form: null, code: block, reason: TEMPLATE_BLOCK_TEXT[block] } : { form: 'modelo', identity };
}
