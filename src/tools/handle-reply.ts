import { z } from 'zod';
import { handleReply } from '../core/replies/handle.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';

export const handleReplyTool = defineTool({
  name: 'handle_reply',
  title: 'Handle an inbound reply',
  description:
    'Records a reply received on WhatsApp or e-mail, finds the lead (any phone form, incl. the old 8-digit WhatsApp id, or ' +
    'e-mail), classifies it in pt-BR — opt_out first, then confirmacao, interesse, recusa, pergunta, outro — and acts: an ' +
    'opt-out suppresses the person on every channel at once; other replies move the lead to respondeu. Idempotent on ' +
    'message_id. Returns the class and a suggested next action.',
  toolset: 'dispatch',
  access: 'write',
  input: {
    channel: z.enum(['whatsapp', 'email']),
    from: z.string().min(3).max(320).describe('Sender phone / WhatsApp id (any format) or e-mail'),
    text: z.string().max(4096),
    received_at: z.iso.datetime({ offset: true }).describe('ISO 8601 with offset'),
    message_id: z.string().min(1).max(300).describe('The downstream message id (a repeat is not processed twice)'),
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
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps }) => {
    const t = deps.tenant.tenant_id;
    const out = await withTenant(deps.db.kysely, t, (tx) =>
      handleReply(tx, t, { canal: args.channel, from: args.from, text: args.text, receivedAt: new Date(args.received_at), messageId: args.message_id }, `reply:${args.channel}`),
    );
    return {
      data: out,
      text: `${out.duplicada ? '(already handled) ' : ''}${out.classe} (${Math.round(out.confianca * 100)}%): ${out.motivo}. ` +
        `Lead ${out.lead_id ?? 'unknown sender'}${out.lead_status ? ` → ${out.lead_status}` : ''}${out.suprimido ? '; suppressed on every channel' : ''}. Next: ${out.acao_sugerida}`,
    };
  },
});
