/**
 * Sandbox e-mail MCP server: `send_email` records the e-mail and answers like an SMTP relay's MCP
 * wrapper would; `list_emails` shows what was recorded; list_inbox / simulate_reply / list_statuses
 * are its return path (inbox.ts). See ./common.ts for the record file,
 * idempotency and the fault-injection knobs (SANDBOX_*). With SANDBOX_FAIL_RECIPIENTS, one bad
 * address among several fails the whole call ("550 mailbox unavailable: <address>").
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  createSandboxServer,
  idempotencyKeyField,
  isEntryPoint,
  registerListTool,
  SandboxRuntime,
  serveStdio,
  type SandboxConfig,
} from './common.js';
import { registerInboxTools } from './inbox.js';

export const EMAIL_SERVER_NAME = 'sandbox-email';

export function buildEmailServer(config: SandboxConfig) {
  const runtime = new SandboxRuntime({ name: EMAIL_SERVER_NAME, config });
  const server = createSandboxServer(
    EMAIL_SERVER_NAME,
    'Offline sandbox of an e-mail sender. Nothing leaves this machine: e-mails are recorded to a file.',
  );
  const address = z.email('must be an e-mail address like ana@example.com').max(254);

  server.registerTool(
    'send_email',
    {
      title: 'Send e-mail (sandbox)',
      description:
        'Queues an e-mail to one address or a list of addresses, with a plain-text body and an optional HTML body. ' +
        'Pass idempotency_key to make retries safe: a repeat with the same key returns the first answer and sends nothing. ' +
        'Returns the message id and the accepted recipients.',
      inputSchema: {
        to: z.union([address, z.array(address).min(1).max(50)]).describe('Recipient address, or a list of up to 50.'),
        subject: z.string().min(1).max(998).describe('Subject line, 1..998 characters.'),
        text: z.string().max(1_000_000).describe('Plain-text body.'),
        html: z.string().max(2_000_000).optional().describe('HTML body (optional).'),
        idempotency_key: idempotencyKeyField,
        message_id: z
          .string()
          .regex(/^<?[^<>\s@]+@[^<>\s@]+>?$/, 'must be a Message-ID like <id@domain>')
          .max(300)
          .optional()
          .describe('Message-ID header to use (optional; one is made when absent).'),
      },
      outputSchema: runtime.outputSchema({
        message_id: z.string().describe('Message id, <uuid>@sandbox.'),
        accepted: z.array(z.string()).describe('Recipients the relay accepted.'),
      }),
      annotations: {
        title: 'Send e-mail (sandbox)',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async (args, extra) => {
      const recipients = (Array.isArray(args.to) ? args.to : [args.to]).map((a) => a.trim());
      return runtime.send({
        tool: 'send_email',
        verb: 'send email',
        args,
        idempotencyKey: args.idempotency_key,
        signal: extra.mcpReq.signal,
        recipients: { values: recipients, failure: (to) => `550 mailbox unavailable: ${to}` },
        perform: () => {
          const message_id = args.message_id?.replace(/^<|>$/g, '') ?? `${randomUUID()}@sandbox`;
          return {
            id: message_id,
            text: `Email queued with id ${message_id}`,
            structured: { message_id, accepted: recipients },
          };
        },
      });
    },
  );

  registerListTool(server, runtime, 'list_emails', 'List recorded e-mails (sandbox)');
  registerInboxTools(server, runtime, 'email');
  return { server, runtime };
}

if (isEntryPoint(import.meta.url)) {
  void serveStdio(EMAIL_SERVER_NAME, buildEmailServer);
}
