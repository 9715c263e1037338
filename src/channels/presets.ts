import type { ChannelProfile } from './profile.js';

/**
 * Whether a preset was ever run against its real server. `proven` names the server package and
 * version, what stood in for the remote service, and the test that does it (test/unit/presets.test.ts
 * fails when a preset has neither, or when the named test does not exercise it). `unverified` says why
 * it could not be run here; get_status, the README and the start-up log say so.
 */
export type PresetProof =
  { status: 'proven'; against: string; test: string } | { status: 'unverified'; reason: string };

/**
 * A ${VAR} a preset's arguments use. It is looked up in this server's environment, then in the
 * downstream server's `env` block in mcp.json (under its own name or `serverEnv`), then derived from
 * the downstream server's launch arguments (`fromArgs`), and normalised (`normalize`).
 */
export interface PresetVariable {
  describe: string;
  /** Names the downstream server itself reads, accepted from its env block. */
  serverEnv?: string[];
  /** First capture group of this regex over the downstream server's args (joined by spaces). */
  fromArgs?: RegExp;
  /** Unset is fine: an argument that is exactly this variable is then left out. */
  optional?: boolean;
  /** e164: "whatsapp:+1 415-523-8886" → "+14155238886" (the preset adds any channel prefix itself). */
  normalize?: 'e164';
}

export interface Preset extends ChannelProfile {
  proof: PresetProof;
  variables?: Record<string, PresetVariable>;
  /** Known limits, shown in the README's preset table. */
  limits?: string;
}

const NO_PACKAGE = 'no runnable server package reachable here (npm / Debian)';

/**
 * The bundled sandbox servers' return path (src/sandbox/inbox.ts): list_inbox by UID, list_statuses by
 * send sequence number, both answered in structuredContent.
 */
function sandboxPolling(kind: 'email' | 'wa_id'): Pick<Preset, 'inbound' | 'statuses'> {
  return {
    inbound: {
      tool: 'list_inbox',
      arguments: { after_uid: '{{since|int}}', limit: '{{limit}}' },
      mark: { kind: 'uid', field: 'uid' },
      result: {
        itemsField: 'messages',
        fields: {
          id: 'message_id',
          from: 'from',
          text: 'text',
          receivedAt: 'received_at',
          inReplyTo: 'in_reply_to',
          ...(kind === 'email' ? { subject: 'subject' } : {}),
        },
      },
    },
    statuses: {
      tool: 'list_statuses',
      arguments: { after: '{{since|int}}', limit: '{{limit}}' },
      mark: { kind: 'uid', field: 'seq' },
      result: {
        itemsField: 'statuses',
        fields: { id: 'message_id', status: 'status', at: 'at', code: 'code', detail: 'detail' },
      },
    },
  };
}

export const PRESETS: Record<string, Preset> = {
  // Bundled sandbox servers (src/sandbox): honour idempotency keys, report ids in structuredContent.
  'sandbox-whatsapp': {
    tool: 'send_message',
    arguments: {
      to: '{{to|e164}}',
      text: '{{text}}',
      template: '{{template}}',
      template_language: '{{templateLanguage}}',
      template_params: '{{templateParams}}',
      idempotency_key: '{{idempotencyKey}}',
    },
    result: { idField: 'message_id', idPattern: 'id: (\\S+)' },
    idempotent: true,
    ...sandboxPolling('wa_id'),
    proof: {
      status: 'proven',
      against: 'the bundled sandbox servers (src/sandbox)',
      test: 'test/unit/channel-client.test.ts',
    },
  },
  'sandbox-email': {
    tool: 'send_email',
    arguments: {
      to: '{{to}}',
      subject: '{{subject}}',
      text: '{{text}}',
      html: '{{html}}',
      idempotency_key: '{{idempotencyKey}}',
      message_id: '{{messageId}}',
    },
    result: { idField: 'message_id', idPattern: 'id (\\S+)' },
    idempotent: true,
    ...sandboxPolling('email'),
    proof: {
      status: 'proven',
      against: 'the bundled sandbox servers (src/sandbox)',
      test: 'test/unit/channel-client.test.ts',
    },
  },
  'sandbox-calendar': {
    tool: 'create_event',
    arguments: {
      title: '{{title}}',
      start: '{{start}}',
      end: '{{end}}',
      timeZone: '{{timeZone}}',
      description: '{{description}}',
      location: '{{location}}',
      attendees: '{{to|array}}',
      idempotency_key: '{{idempotencyKey}}',
    },
    result: { idField: 'event_id' },
    idempotent: true,
    proof: {
      status: 'proven',
      against: 'the bundled sandbox calendar server (src/sandbox), by test/tools/meetings*.test.ts',
      test: 'test/helpers/meetings-setup.ts',
    },
    operations: {
      update: {
        tool: 'update_event',
        arguments: {
          event_id: '{{eventId}}',
          title: '{{title}}',
          start: '{{start}}',
          end: '{{end}}',
          timeZone: '{{timeZone}}',
          description: '{{description}}',
          location: '{{location}}',
        },
      },
      delete: { tool: 'delete_event', arguments: { event_id: '{{eventId}}' } },
      list: {
        tool: 'list_events',
        arguments: { from: '{{rangeStart|iso}}', to: '{{rangeEnd|iso}}' },
        result: { eventsField: 'events', id: 'event_id' },
      },
    },
  },
  // Twilio's MCP server (@twilio-alpha/mcp 0.7): the Messages API. Its schema requires AccountSid (the
  // server would fill it in, but verify() checks the schema): taken from the server's own launch
  // argument "AC…/SK…:secret" when TWILIO_ACCOUNT_SID is set nowhere. Success is the Message resource as
  // JSON text; refusals are JSON-RPC errors carrying Twilio's error body (readers.ts twilioReader).
  'twilio-whatsapp': {
    tool: 'TwilioApiV2010--CreateMessage',
    arguments: {
      AccountSid: '${TWILIO_ACCOUNT_SID}',
      To: 'whatsapp:{{to|e164}}',
      From: 'whatsapp:${TWILIO_WHATSAPP_FROM}',
      // Inside the 24-hour window free text (Body); outside it the approved template (ContentSid +
      // ContentVariables JSON): each is present only in its form (core/templates/approved.ts).
      Body: '{{freeText}}',
      ContentSid: '{{contentSid}}',
      ContentVariables: '{{contentVariables}}',
    },
    result: { reader: 'twilio' },
    idempotent: false,
    variables: {
      TWILIO_ACCOUNT_SID: {
        describe: 'the Twilio Account SID (AC…)',
        fromArgs: /(?:^|\s)(?:--accountSid[= ]|-a )?(AC[0-9a-fA-F]{32})\b/,
      },
      TWILIO_WHATSAPP_FROM: {
        describe: 'your WhatsApp sender number, E.164 (whatsapp:+14155238886 is accepted too)',
        normalize: 'e164',
      },
    },
    proof: {
      status: 'proven',
      against: '@twilio-alpha/mcp 0.7.0 (npm) with a loopback fake of api.twilio.com',
      test: 'test/e2e/interop-twilio.test.ts',
    },
    limits:
      'Outside the 24 h window it sends the approved template registered with manage_templates (ContentSid + ContentVariables); inside it, Body. Failures after acceptance (63016, 63024) show only in status callbacks / FetchMessage, not at send time.',
  },
  // lharries/whatsapp-mcp: reports failure only in the text.
  'lharries-whatsapp': {
    tool: 'send_message',
    arguments: { recipient: '{{to|digits}}', message: '{{text}}' },
    result: { failurePattern: '^(error|failed)|"success"\\s*:\\s*false' },
    idempotent: false,
    proof: {
      status: 'unverified',
      reason: `${NO_PACKAGE}: a Python server plus a Go bridge logged in to WhatsApp Web`,
    },
  },
  // WAHA (WhatsApp HTTP API) MCP.
  waha: {
    tool: 'waha_send_message',
    arguments: { chatId: '{{to|digits}}@c.us', text: '{{text}}' },
    result: { idPattern: '"id"\\s*:\\s*"([^"]+)"', failurePattern: '^(error|failed)' },
    idempotent: false,
    proof: { status: 'unverified', reason: `${NO_PACKAGE}: no WAHA MCP server is published on npm` },
  },
  // Evolution API MCP.
  'evolution-api': {
    tool: 'send_text_message',
    arguments: { number: '{{to|digits}}', text: '{{text}}' },
    result: { idPattern: '"id"\\s*:\\s*"([^"]+)"', failurePattern: '^(error|failed)' },
    idempotent: false,
    proof: { status: 'unverified', reason: `${NO_PACKAGE}: no Evolution API MCP server is published on npm` },
  },
  // @codefuturist/email-mcp over SMTP (checked against 0.2.0, test/e2e/interop-email.test.ts):
  // send_email {account, to[], subject, body, cc?, bcc?, html?: boolean}. Its "html" is a switch ("send
  // body as HTML"), not an HTML body, so the plain-text body goes out. "account" is the account name
  // the server was configured with (its MCP_EMAIL_ACCOUNT_NAME, "default" when unset). The answer
  // ends in "Message-ID: <id>"; failures set isError ("Failed to send email: ...").
  'codefuturist-email': {
    tool: 'send_email',
    arguments: { account: '${EMAIL_MCP_ACCOUNT}', to: '{{to|array}}', subject: '{{subject}}', body: '{{text}}' },
    result: { reader: 'codefuturist-email' },
    idempotent: false,
    variables: {
      EMAIL_MCP_ACCOUNT: { describe: "the server's account name", serverEnv: ['MCP_EMAIL_ACCOUNT_NAME'] },
    },
    proof: {
      status: 'proven',
      against: '@codefuturist/email-mcp 0.2.0 (npm) sending to a loopback SMTP sink',
      test: 'test/e2e/interop-email.test.ts',
    },
    limits:
      'Plain-text body only (its "html" is a switch, not an HTML body). Its "to" pattern wants a letters-only TLD.',
  },
  // mcp-mail-server (npm, 1.2.1): send_email {to: "a,b", subject, text?, html?, cc?, bcc?}; answers JSON
  // in the text {messageId, response, accepted, rejected, sentFolderSaved, note}; failures are normal
  // results (no isError: its SDK 0.5) whose text starts "Error: Failed to send email: <nodemailer
  // message>". After each send it logs in to IMAP and files a copy in the Sent folder before answering:
  // 170–330 ms against Dovecot on loopback (its interop test prints it), but its IMAP library waits up
  // to 60 s to connect to an unreachable IMAP host; the 45 s timeout stays under the 60 s send lease.
  'mcp-mail-server': {
    tool: 'send_email',
    arguments: { to: '{{to}}', subject: '{{subject}}', text: '{{text}}', html: '{{html}}' },
    result: { reader: 'mcp-mail-server' },
    idempotent: false,
    timeoutMs: 45_000,
    // Its search answers {messages: [{uid, date, from, subject, text, html}]} as JSON text: no Message-ID
    // or In-Reply-To, so replies are attributed by sender; IMAP SINCE is by day, hence the date mark
    // (re-read from the day before; the UID makes a message read twice one message).
    inbound: {
      tool: 'search_since_date',
      arguments: { date: '{{since|date}}', inboxOnly: true },
      mark: { kind: 'date', field: 'date' },
      result: {
        itemsField: 'messages',
        fields: { id: 'uid', from: 'from', text: 'text', html: 'html', receivedAt: 'date', subject: 'subject' },
        idPrefix: 'imap-uid:',
      },
    },
    proof: {
      status: 'proven',
      against: 'mcp-mail-server 1.2.1 (npm) with a loopback SMTP sink and a real Dovecot IMAP (Debian dovecot-imapd)',
      test: 'test/e2e/interop-mail-server.test.ts',
    },
    limits:
      'From is its EMAIL_USER. Each send also appends a copy to the IMAP Sent folder before answering (timeout 45 s). Not idempotent. Takes no Message-ID (its own is recorded); its inbox search returns no In-Reply-To, so polled replies are attributed by sender.',
  },
  // resend-mcp (Resend's own server, npm; checked against 2.22.0): send-email {to[], subject, text,
  // html?, from (only when the server has no SENDER_EMAIL_ADDRESS), idempotencyKey}. It passes the key as
  // Resend's Idempotency-Key header, so a retry is deduplicated by Resend (24 h).
  resend: {
    tool: 'send-email',
    arguments: {
      to: '{{to|array}}',
      subject: '{{subject}}',
      text: '{{text}}',
      html: '{{html}}',
      from: '${RESEND_FROM}',
      idempotencyKey: '{{idempotencyKey}}',
    },
    result: { reader: 'resend' },
    idempotent: true,
    variables: {
      RESEND_FROM: {
        describe:
          'the sender, e.g. "Alquimista <cobranca@seu-dominio.com.br>" (or SENDER_EMAIL_ADDRESS in the server\'s env)',
        optional: true,
      },
    },
    proof: {
      status: 'proven',
      against: "resend-mcp 2.22.0 (npm, Resend's own) with a loopback fake of api.resend.com (RESEND_BASE_URL)",
      test: 'test/e2e/interop-resend.test.ts',
    },
    limits:
      'Set the sender either as SENDER_EMAIL_ADDRESS in its env (then it takes no "from") or RESEND_FROM. Bounces and complaints arrive later (webhooks), not at send time.',
  },
  // Gmail MCP (@gongrzhe/server-gmail-autoauth-mcp).
  gmail: {
    tool: 'send_email',
    arguments: { to: '{{to|array}}', subject: '{{subject}}', body: '{{text}}', htmlBody: '{{html}}' },
    result: { failurePattern: '^error', idPattern: 'ID: (\\S+)' },
    idempotent: false,
    proof: {
      status: 'unverified',
      reason:
        'its Google API and OAuth endpoints are fixed https:// URLs (googleapis) that cannot be pointed at a loopback fake without a TLS-intercepting proxy',
    },
  },
  // caldav-mcp (checked against 0.10.0 + Radicale 3.1, test/e2e/interop-calendar.test.ts): create-event
  // returns the UID as its whole text. start/end must carry an offset or Z (hence |iso). It takes no
  // UID from us and has no attendees, so it is not idempotent and sends no invitations.
  'caldav-mcp': {
    tool: 'create-event',
    arguments: {
      summary: '{{title}}',
      start: '{{start|iso}}',
      end: '{{end|iso}}',
      description: '{{description}}',
      location: '{{location}}',
      calendarUrl: '${CALDAV_CALENDAR_URL}',
    },
    result: { idPattern: '([0-9a-f-]{36}|[A-Za-z0-9@._-]{8,})', failurePattern: '^error' },
    idempotent: false,
    variables: { CALDAV_CALENDAR_URL: { describe: 'the calendar collection URL' } },
    proof: {
      status: 'proven',
      against: 'caldav-mcp 0.10.0 (npm) against Radicale (Debian) on loopback',
      test: 'test/e2e/interop-calendar.test.ts',
    },
    limits: 'Takes no UID from us and has no attendees: not idempotent, sends no invitations.',
    // update-event / delete-event take the UID create-event returned; list-events answers a JSON array
    // of {uid, summary, start, end} in its text.
    operations: {
      update: {
        tool: 'update-event',
        arguments: {
          uid: '{{eventId}}',
          calendarUrl: '${CALDAV_CALENDAR_URL}',
          summary: '{{title}}',
          start: '{{start|iso}}',
          end: '{{end|iso}}',
          description: '{{description}}',
          location: '{{location}}',
        },
      },
      delete: { tool: 'delete-event', arguments: { uid: '{{eventId}}', calendarUrl: '${CALDAV_CALENDAR_URL}' } },
      list: {
        tool: 'list-events',
        arguments: { start: '{{rangeStart|iso}}', end: '{{rangeEnd|iso}}', calendarUrl: '${CALDAV_CALENDAR_URL}' },
        result: { id: 'uid' },
      },
    },
  },
  // Google Calendar MCP (nspady/google-calendar-mcp).
  'google-calendar': {
    tool: 'create-event',
    arguments: {
      calendarId: 'primary',
      summary: '{{title}}',
      start: '{{start|local}}',
      end: '{{end|local}}',
      timeZone: '{{timeZone}}',
      description: '{{description}}',
      location: '{{location}}',
    },
    result: { idPattern: 'Event ID: (\\S+)|"id"\\s*:\\s*"([^"]+)"', failurePattern: '^error' },
    idempotent: false,
    proof: {
      status: 'unverified',
      reason:
        "@cocal/google-calendar-mcp calls Google's fixed https:// endpoints (googleapis) and needs OAuth tokens; they cannot be pointed at a loopback fake without a TLS-intercepting proxy",
    },
    // Not exercised here: checked against the live tools/list at start-up like every operation.
    operations: {
      update: {
        tool: 'update-event',
        arguments: {
          calendarId: 'primary',
          eventId: '{{eventId}}',
          summary: '{{title}}',
          start: '{{start|local}}',
          end: '{{end|local}}',
          timeZone: '{{timeZone}}',
          description: '{{description}}',
          location: '{{location}}',
        },
      },
      delete: { tool: 'delete-event', arguments: { calendarId: 'primary', eventId: '{{eventId}}' } },
    },
  },
};
