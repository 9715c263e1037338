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
  template?: string;
  templateParams?: string[];
}

export type SendOutcome =
  | { ok: true; messageId: string | null; waId?: string | null; raw: unknown }
  | {
      ok: false;
      errorClass: 'transitorio' | 'destino_invalido' | 'politica' | 'desconhecido';
      error: string;
      raw: unknown;
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
