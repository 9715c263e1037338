import { z } from 'zod';
import { handleReply } from '../core/replies/handle.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { isoDateTime } from './schemas.js';

export const handleReplyTool = defineTool({
  name: 'handle_reply',
  title: 'Handle an inbound reply',
  description:
    'Records an inbound WhatsApp/e-mail reply (idempotent on message_id), finds the lead, classifies it in pt-BR ' +
    '(opt-out first) and acts: opt-out suppresses on every channel; a confirmation confirms the next meeting; others ' +
    'move the lead to respondeu.',
  toolset: 'dispatch',
  access: 'write',
  input: {
    channel: z.enum(['whatsapp', 'email']),
    from: z.string().min(3).max(320).describe('Sender phone/WhatsApp id or e-mail'),
    text: z.string().max(4096),
    received_at: isoDateTime(),
    message_id: z.string().min(1).max(300).describe('Downstream message id'),
  },
  output: {
    mensagem_id: z.string(),
    duplicada: z.boolean(),
    lead_id: z.string().nullable().describe('null: unknown sender (recorded anyway)'),
    classe: z.enum(['opt_out', 'confirmacao', 'interesse', 'recusa', 'pergunta', 'outro']),
    confianca: z.number(),
    motivo: z.string(),
    acao_sugerida: z.string(),
    lead_status: z.string().nullable(),
    suprimido: z.boolean().describe('true: the sender is on the suppression list now'),
    reuniao_confirmada: z.string().nullable().describe("The lead's next meeting, confirmed by this reply"),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps }) => {
    const t = deps.tenant.tenant_id;
    const out = await withTenant(deps.db.kysely, t, (tx) =>
      handleReply(
        tx,
        t,
        {
          canal: args.channel,
          from: args.from,
          text: args.text,
          receivedAt: new Date(args.received_at),
          messageId: args.message_id,
        },
        `reply:${args.channel}`,
      ),
    );
    return {
      data: out,
      text:
        `${out.duplicada ? '(already handled) ' : ''}${out.classe} (${Math.round(out.confianca * 100)}%): ${out.motivo}. ` +
        `Lead ${out.lead_id ?? 'unknown sender'}${out.lead_status ? ` → ${out.lead_status}` : ''}${out.suprimido ? '; suppressed on every channel' : ''}. Next: ${out.acao_sugerida}`,
    };
  },
});
