/**
 * Port: the downstream channel layer (MCP clients to WhatsApp / e-mail / calendar servers). Core only
 * sees this interface; src/channels implements it. When MICRO_AGENT_DISPARO_ENABLED is not exactly
 * "true", nothing may call send() — the dry-run path never receives a ChannelClient at all.
 */
export interface SendPayload {
  to: string;
  text: string;
  subject?: string;
  html?: string;
  idempotencyKey: string;
  /** WhatsApp outside the window: the approved template's name (Cloud API), language and ordered values. */
  template?: string;
  templateLanguage?: string;
  templateParams?: string[];
  /** Twilio: the approved Content SID (HX…) and its ContentVariables as JSON ({"1": "…"}). */
  contentSid?: string;
  contentVariables?: string;
  /** WhatsApp inside the 24-hour window: the text to send as a free message (absent outside it). */
  freeText?: string;
  /** E-mail: our Message-ID for it (`<disparo_id@domain>`), for servers that take one. */
  messageId?: string;
}

/**
 * Why a downstream refused, as far as the answer says (finer than errorClass, which is what is stored):
 * permanent — bad_destination, not_whatsapp_user (→ destino_invalido), template_refused, auth,
 * opted_out, refused (→ politica); transient — rate_limited, server_error, not_sent (→ transitorio).
 */
export type RefusalReason =
  | 'bad_destination'
  | 'not_whatsapp_user'
  | 'template_refused'
  | 'auth'
  | 'opted_out'
  | 'refused'
  | 'rate_limited'
  | 'server_error'
  | 'not_sent';

export type SendOutcome =
  | { ok: true; messageId: string | null; waId?: string | null; raw: unknown }
  | {
      ok: false;
      errorClass: 'transitorio' | 'destino_invalido' | 'politica' | 'desconhecido';
      error: string;
      raw: unknown;
      /** The finer reason, when the answer said one (absent for unknown outcomes). */
      reason?: RefusalReason;
      /** The provider's own code for the refusal (Twilio 21211, Resend validation_error, SMTP 550 5.1.1). */
      providerCode?: string | null;
    };

export interface ChannelClient {
  /** Connects the channel's downstream server if needed, so that paced sends do not wait on it. */
  ready?(canal: 'whatsapp' | 'email'): Promise<void>;
  send(
    canal: 'whatsapp' | 'email',
    payload: SendPayload,
    opts: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<SendOutcome>;
}
