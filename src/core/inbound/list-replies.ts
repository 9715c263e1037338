import { sql } from 'kysely';
import { z } from 'zod';
import type { Infer } from '../schemas.js';
import type { Scope } from '../scope.js';

/** Which replies: needing a person (unanswered questions + ambiguous), one kind, or all. */
export const REPLY_FILTERS = ['pendentes', 'perguntas', 'ambiguas', 'opt_outs', 'todas'] as const;

export const listRepliesInput = {
  filter: z.enum(REPLY_FILTERS).default('pendentes'),
  limit: z.number().int().min(1).max(100).default(20),
};

export const listRepliesOutput = {
  replies: z.array(
    // Plain strings (values as handle_reply returns them): tools/list stays within its budget.
    z.object({
      inbound_message_id: z.string(),
      received_at: z.string(),
      from: z.string(),
      text: z.string(),
      class: z.string(),
      attribution: z.string(),
      lead_id: z.string().nullable(),
    }),
  ),
};

type Row = {
  mensagem_id: string;
  recebida_em: Date | string;
  canal: string;
  remetente: string;
  texto: string;
  classe: string;
  atribuicao: string;
  lead_id: string | null;
};

/**
 * Recent inbound messages, newest first, whichever way they came (webhook, polling, pasted): by
 * default those a person should look at — questions nobody answered (no message sent to the lead
 * after it) and replies from a destination several leads share.
 */
export async function listReplies(
  scope: Scope,
  input: Infer<typeof listRepliesInput>,
): Promise<Infer<typeof listRepliesOutput>> {
  const t = scope.tenant.tenant_id;
  const unanswered = sql<boolean>`m.classe = 'pergunta' and not exists (
      select 1 from disparos d where d.tenant_id = m.tenant_id and d.lead_id = m.lead_id
        and d.status = 'enviado' and d.enviado_em > m.recebida_em)`;
  const where = {
    pendentes: sql`((${unanswered}) or m.atribuicao = 'ambigua')`,
    perguntas: unanswered,
    ambiguas: sql`m.atribuicao = 'ambigua'`,
    opt_outs: sql`m.classe = 'opt_out'`,
    todas: sql`true`,
  }[input.filter];
  const { rows } = await scope.tx((tx) =>
    sql<Row>`
      select m.mensagem_id, m.recebida_em, m.canal, m.remetente, m.texto, m.classe, m.atribuicao, m.lead_id
      from mensagens_recebidas m
      where m.tenant_id = ${t} and ${where}
      order by m.recebida_em desc, m.mensagem_id
      limit ${input.limit}`.execute(tx),
  );
  return {
    replies: rows.map((r) => ({
      inbound_message_id: r.mensagem_id,
      received_at: new Date(r.recebida_em).toISOString(),
      from: `${r.canal}:${r.remetente}`,
      text: r.texto.slice(0, 500),
      class: r.classe,
      attribution: r.atribuicao,
      lead_id: r.lead_id,
    })),
  };
}
