import type { ChannelProfile } from './profile.js';

/**
 * Profiles for MCP servers people use, by preset name. Each names the tool, maps the canonical
 * payload onto its arguments and says how to read the answer. `idempotent` is true only for servers
 * that deduplicate on a key we send.
 */
export const PRESETS: Record<string, ChannelProfile> = {
  // Bundled sandbox servers (src/sandbox): honour idempotency keys, report ids in structuredContent.
  'sandbox-whatsapp': {
    tool: 'send_message',
    arguments: {
      to: '{{to|e164}}',
      text: '{{text}}',
      template: '{{template}}',
      template_params: '{{templateParams}}',
      idempotency_key: '{{idempotencyKey}}',
    },
    result: { idField: 'message_id', idPattern: 'id: (\\S+)' },
    idempotent: true,
  },
  'sandbox-email': {
    tool: 'send_email',
    arguments: {
      to: '{{to}}',
      subject: '{{subject}}',
      text: '{{text}}',
      html: '{{html}}',
      idempotency_key: '{{idempotencyKey}}',
    },
    result: { idField: 'message_id', idPattern: 'id (\\S+)' },
    idempotent: true,
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
  // Twilio's MCP server (@twilio-alpha/mcp): the Messages API; From must be set in mcp.json.
  'twilio-whatsapp': {
    tool: 'TwilioApiV2010--CreateMessage',
    arguments: { To: 'whatsapp:{{to|e164}}', From: 'whatsapp:${TWILIO_WHATSAPP_FROM}', Body: '{{text}}' },
    result: { idPattern: '"sid"\\s*:\\s*"(SM[0-9a-f]+)"', failurePattern: '"status"\\s*:\\s*(4\\d\\d|5\\d\\d)|error' },
    idempotent: false,
  },
  // lharries/whatsapp-mcp: reports failure only in the text.
  'lharries-whatsapp': {
    tool: 'send_message',
    arguments: { recipient: '{{to|digits}}', message: '{{text}}' },
    result: { failurePattern: '^(error|failed)|"success"\\s*:\\s*false' },
    idempotent: false,
  },
  // WAHA (WhatsApp HTTP API) MCP.
  waha: {
    tool: 'waha_send_message',
    arguments: { chatId: '{{to|digits}}@c.us', text: '{{text}}' },
    result: { idPattern: '"id"\\s*:\\s*"([^"]+)"', failurePattern: 'error' },
    idempotent: false,
  },
  // Evolution API MCP.
  'evolution-api': {
    tool: 'send_text_message',
    arguments: { number: '{{to|digits}}', text: '{{text}}' },
    result: { idPattern: '"id"\\s*:\\s*"([^"]+)"', failurePattern: 'error' },
    idempotent: false,
  },
  // @codefuturist/email-mcp over SMTP (checked against 0.2.0, test/e2e/interop-email.test.ts):
  // send_email {account, to[], subject, body, cc?, bcc?, html?: boolean}. Its "html" is a switch ("send
  // body as HTML"), not an HTML body, so the plain-text body goes out. "account" is the account name
  // the server was configured with (its MCP_EMAIL_ACCOUNT_NAME, "default" when unset). The answer
  // ends in "Message-ID: <id>"; failures set isError ("Failed to send email: ...").
  'codefuturist-email': {
    tool: 'send_email',
    arguments: { account: '${EMAIL_MCP_ACCOUNT}', to: '{{to|array}}', subject: '{{subject}}', body: '{{text}}' },
    result: { failurePattern: '^(error|failed)', idPattern: 'Message-ID:\\s*<?([^>\\s]+)>?' },
    idempotent: false,
  },
  // mcp-mail-server.
  'mcp-mail-server': {
    tool: 'sendMail',
    arguments: { to: '{{to}}', subject: '{{subject}}', text: '{{text}}', html: '{{html}}' },
    result: { failurePattern: '^(error|failed)', idPattern: 'messageId[":\\s]+<?([^>"\\s]+)' },
    idempotent: false,
  },
  // Resend's MCP server.
  resend: {
    tool: 'send-email',
    arguments: { to: '{{to}}', subject: '{{subject}}', text: '{{text}}', html: '{{html}}' },
    result: { failurePattern: 'error', idPattern: 'ID: (\\S+)' },
    idempotent: false,
  },
  // Gmail MCP (GongRzhe/Gmail-MCP-Server).
  gmail: {
    tool: 'send_email',
    arguments: { to: '{{to|array}}', subject: '{{subject}}', body: '{{text}}', htmlBody: '{{html}}' },
    result: { failurePattern: '^error', idPattern: 'ID: (\\S+)' },
    idempotent: false,
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
