import { createHmac } from 'node:crypto';

/**
 * Provider webhook bodies shaped as the providers send them (field names, nesting, types), and their
 * signatures computed here independently of the server's code.
 */

/** WhatsApp Cloud API: an inbound text message (optionally answering one of ours). */
export function metaMessage(o: {
  from: string;
  id: string;
  text: string;
  ts: number;
  context?: string;
  name?: string;
}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: o.name ?? 'Rita' }, wa_id: o.from }],
              messages: [
                {
                  ...(o.context ? { context: { from: '15550783881', id: o.context } } : {}),
                  from: o.from,
                  id: o.id,
                  timestamp: String(o.ts),
                  text: { body: o.text },
                  type: 'text',
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** WhatsApp Cloud API: a status of one of our messages (failed ones carry errors[]). */
export function metaStatus(o: {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  ts: number;
  to: string;
  code?: number;
}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              statuses: [
                {
                  id: o.id,
                  status: o.status,
                  timestamp: String(o.ts),
                  recipient_id: o.to,
                  ...(o.status === 'failed'
                    ? {
                        errors: [
                          {
                            code: o.code ?? 131026,
                            title: 'Message undeliverable',
                            message: 'Message undeliverable',
                            error_data: { details: 'Message Undeliverable.' },
                          },
                        ],
                      }
                    : {
                        conversation: { id: 'CONVERSATION_ID', origin: { type: 'marketing' } },
                        pricing: { billable: true, pricing_model: 'CBP', category: 'marketing' },
                      }),
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

export const metaSignature = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Twilio: an incoming WhatsApp message (form fields as Twilio posts them). */
export function twilioInbound(o: { sid: string; from: string; body: string; repliedTo?: string }) {
  return {
    SmsMessageSid: o.sid,
    NumMedia: '0',
    ProfileName: 'Rita',
    MessageType: 'text',
    SmsSid: o.sid,
    WaId: o.from.replace(/\D/g, ''),
    SmsStatus: 'received',
    Body: o.body,
    To: 'whatsapp:+14155238886',
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: o.sid,
    AccountSid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    From: `whatsapp:${o.from}`,
    ApiVersion: '2010-04-01',
    ...(o.repliedTo
      ? { OriginalRepliedMessageSid: o.repliedTo, OriginalRepliedMessageSender: 'whatsapp:+14155238886' }
      : {}),
  };
}

/** Twilio: a status callback of one of our messages. */
export function twilioStatus(o: { sid: string; status: string; to: string; errorCode?: string }) {
  return {
    ...(o.errorCode ? { ErrorCode: o.errorCode, ErrorMessage: 'Invalid message recipient' } : {}),
    ChannelPrefix: 'whatsapp',
    ApiVersion: '2010-04-01',
    MessageStatus: o.status,
    SmsSid: o.sid,
    SmsStatus: o.status,
    ChannelInstallSid: 'XEaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    To: `whatsapp:${o.to}`,
    From: 'whatsapp:+14155238886',
    MessageSid: o.sid,
    AccountSid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ChannelToAddress: o.to,
  };
}

/** Twilio's scheme: base64 HMAC-SHA1 of the full URL followed by every POST field, sorted, name then value. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>) {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** WAHA: the envelope around a `message` or `message.ack` payload. */
export function wahaEvent(o: {
  id: string;
  event: 'message' | 'message.ack';
  payload: Record<string, unknown>;
  ts: number;
}) {
  return {
    id: o.id,
    timestamp: o.ts,
    event: o.event,
    session: 'default',
    metadata: {},
    me: { id: '5511900000000@c.us', pushName: 'Empresa' },
    payload: o.payload,
    engine: 'WEBJS',
    environment: { version: '2025.5.1', engine: 'WEBJS', tier: 'CORE', browser: '/usr/bin/chromium' },
  };
}

export const wahaSignature = (key: string, body: string) => createHmac('sha512', key).update(body).digest('hex');

/** Evolution API v2: messages.upsert of an incoming text. */
export function evolutionUpsert(o: {
  jid: string;
  id: string;
  text: string;
  ts: number;
  apikey: string;
  quoted?: string;
}) {
  return {
    event: 'messages.upsert',
    instance: 'empresa',
    data: {
      key: { remoteJid: o.jid, fromMe: false, id: o.id },
      pushName: 'Rita',
      status: 'DELIVERY_ACK',
      message: o.quoted
        ? {
            extendedTextMessage: {
              text: o.text,
              contextInfo: { stanzaId: o.quoted, participant: '5511900000000@s.whatsapp.net' },
            },
          }
        : { conversation: o.text },
      messageType: o.quoted ? 'extendedTextMessage' : 'conversation',
      messageTimestamp: o.ts,
      instanceId: '3b3a1f5e-0c2d-4d8e-9a51-7c7f3f3e2a11',
      source: 'android',
    },
    destination: 'https://example.com/webhooks/evolution',
    date_time: new Date(o.ts * 1000).toISOString(),
    sender: '5511900000000@s.whatsapp.net',
    server_url: 'http://localhost:8080',
    apikey: o.apikey,
  };
}

/** Evolution API v2: messages.update (a status of one of our messages). */
export function evolutionUpdate(o: { keyId: string; jid: string; status: string; apikey: string }) {
  return {
    event: 'messages.update',
    instance: 'empresa',
    data: {
      messageId: 'cm3x7a1b20001',
      keyId: o.keyId,
      remoteJid: o.jid,
      fromMe: true,
      participant: o.jid,
      status: o.status,
      instanceId: '3b3a1f5e-0c2d-4d8e-9a51-7c7f3f3e2a11',
    },
    destination: 'https://example.com/webhooks/evolution',
    date_time: new Date().toISOString(),
    sender: '5511900000000@s.whatsapp.net',
    server_url: 'http://localhost:8080',
    apikey: o.apikey,
  };
}
