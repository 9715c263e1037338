/**
 * Sandbox WhatsApp MCP server: `send_message` records the message and answers like a WhatsApp
 * Business API wrapper would; `list_messages` shows what was recorded; list_inbox / simulate_reply /
 * list_statuses are its return path (inbox.ts). See ./common.ts for the
 * record file, idempotency and the fault-injection knobs (SANDBOX_*).
 *
 * wa_id: WhatsApp identifies an account by its digits, and accounts registered in Brazil before the
 * ninth mobile digit was introduced often keep the old 8-digit id. Real WhatsApp answers such a send
 * with a wa_id without the 9 (e.g. to +55 31 9xxxx-xxxx → wa_id 5531xxxxxxxx), in practice for DDDs
 * 31 and above (the 9 came first to São Paulo, Rio and Espírito Santo, DDDs 11–28). The sandbox does
 * this deterministically for every BR mobile with DDD ≥ 31, so clients must match inbound replies on
 * both forms.
 *
 * Platform rules (platform.ts, on unless SANDBOX_PLATFORM_RULES=off): the 24-h window, the template
 * catalogue, numbers that are not on WhatsApp, the pair rate, and statuses out of order.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  createSandboxServer,
  digitsOnly,
  idempotencyKeyField,
  isEntryPoint,
  registerListTool,
  SandboxRuntime,
  serveStdio,
  type SandboxConfig,
} from './common.js';
import { registerInboxTools, SandboxInbox, type SandboxStatus } from './inbox.js';
import { failsLater, readPlatformConfig, refusal, type PlatformConfig } from './platform.js';
import type { RecordLine } from './record.js';

export const WHATSAPP_SERVER_NAME = 'sandbox-whatsapp';

/** The WhatsApp id for a phone: its digits; BR mobiles with DDD ≥ 31 lose the 9 after the DDD. */
export function waIdFor(to: string): string {
  const d = digitsOnly(to);
  if (d.length === 13 && d.startsWith('55') && d[4] === '9' && Number(d.slice(2, 4)) >= 31) {
    return d.slice(0, 4) + d.slice(5);
  }
  return d;
}

/**
 * The statuses the platform reports for one send, out of order as webhooks arrive: sent and delivered
 * (either first), sometimes read before delivered; a send to a number that is not on WhatsApp, sent
 * and then failed with 131026. Without the platform rules: delivered.
 */
function statusesOf(platform: PlatformConfig, l: RecordLine): SandboxStatus[] {
  if (!platform.on) return [{ status: 'delivered', at: l.ts }];
  const t = Date.parse(l.ts);
  const at = (ms: number) => new Date(t + ms).toISOString();
  if (failsLater(platform, String(l.args.to))) {
    const detail = 'Message Undeliverable: the recipient phone number is not a WhatsApp phone number.';
    return [
      { status: 'failed', at: at(900), code: '131026', detail },
      { status: 'sent', at: at(0) },
    ];
  }
  const sent = { status: 'sent' as const, at: at(0) };
  const delivered = { status: 'delivered' as const, at: at(700) };
  switch (l.message_id.charCodeAt(l.message_id.length - 1) % 3) {
    case 0:
      return [sent, delivered];
    case 1:
      return [delivered, sent];
    default:
      return [sent, { status: 'read', at: at(5000) }, delivered];
  }
}

export function buildWhatsappServer(config: SandboxConfig, env: NodeJS.ProcessEnv = process.env) {
  const platform = readPlatformConfig(env);
  const lastSent = new Map<string, number>();
  const runtime = new SandboxRuntime({
    name: WHATSAPP_SERVER_NAME,
    config,
    apply: (line) => {
      if (line.tool !== 'send_message') return;
      const w = waIdFor(String(line.args.to));
      lastSent.set(w, Math.max(lastSent.get(w) ?? 0, Date.parse(line.ts)));
    },
  });
  const inbox = new SandboxInbox(config.inboxPath);
  const state = {
    lastInbound: (w: string) => inbox.lastFrom(waIdFor, w),
    lastSent: (w: string) => {
      runtime.sync();
      return lastSent.get(w);
    },
  };
  const server = createSandboxServer(
    WHATSAPP_SERVER_NAME,
    'Offline sandbox of a WhatsApp Business sender. Nothing leaves this machine: sends are recorded to a file.',
  );

  server.registerTool(
    'send_message',
    {
      title: 'Send WhatsApp message (sandbox)',
      description:
        'Sends a WhatsApp message to one phone number (E.164 like +5511987654321, or digits only). ' +
        'Business-initiated messages should name an approved template and its parameters; `text` is the rendered body. ' +
        'Pass idempotency_key to make retries safe: a repeat with the same key returns the first answer and sends nothing. ' +
        "Returns the message id (wamid.…) and the recipient's WhatsApp id.",
      inputSchema: {
        to: z
          .string()
          .regex(
            /^\+?[1-9]\d{7,14}$/,
            'must be a phone number in E.164 (+5511987654321) or digits only (5511987654321)',
          )
          .describe('Recipient phone number, E.164 (+55…) or digits only, with country code.'),
        text: z.string().min(1).max(4096).describe('Message body, 1..4096 characters.'),
        template: z
          .string()
          .min(1)
          .max(512)
          .optional()
          .describe('Approved template name, for business-initiated messages.'),
        template_params: z
          .array(z.string().max(1024))
          .max(100)
          .optional()
          .describe('Template body parameters, in order.'),
        template_language: z
          .string()
          .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code like pt_BR or en')
          .optional()
          .describe('Template language code (default pt_BR).'),
        idempotency_key: idempotencyKeyField,
      },
      outputSchema: runtime.outputSchema({
        message_id: z.string().describe('WhatsApp message id (wamid.…).'),
        wa_id: z.string().describe("The recipient's WhatsApp id (digits; may lack the 9 of BR mobiles)."),
        to: z.string().describe('The recipient as given.'),
        status: z.literal('sent'),
      }),
      annotations: {
        title: 'Send WhatsApp message (sandbox)',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async (args, extra) =>
      runtime.send({
        tool: 'send_message',
        verb: 'send message',
        args,
        idempotencyKey: args.idempotency_key,
        signal: extra.mcpReq.signal,
        recipients: { values: [args.to], failure: (to) => `400 invalid recipient: ${to} is not a WhatsApp user` },
        validate: () => refusal(platform, args, waIdFor(args.to), Date.now(), state),
        perform: () => {
          const message_id = `wamid.${randomBytes(18).toString('hex').toUpperCase()}`;
          return {
            id: message_id,
            text: `Message sent. id: ${message_id}`,
            structured: { message_id, wa_id: waIdFor(args.to), to: args.to, status: 'sent' },
          };
        },
      }),
  );

  registerListTool(server, runtime, 'list_messages', 'List recorded WhatsApp messages (sandbox)');
  registerInboxTools(server, runtime, 'whatsapp', inbox, (l) => statusesOf(platform, l));
  return { server, runtime };
}

if (isEntryPoint(import.meta.url)) {
  void serveStdio(WHATSAPP_SERVER_NAME, buildWhatsappServer);
}
