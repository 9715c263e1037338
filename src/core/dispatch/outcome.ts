import type { DisparoStatus, ErrorClass, SendChannel } from '../model/index.js';

/** A disparo an executor claimed (em_execucao, leased to it), with what it needs to send it. */
export interface Claimed {
  disparo_id: string;
  tenant_id: string;
  lead_id: string;
  canal: SendChannel;
  destino: string;
  template: string;
  conteudo: string;
  assunto: string | null;
  variaveis: Record<string, unknown>;
  idempotency_key: string;
  /** Attempts so far, this one included. */
  tentativas: number;
  max_tentativas: number;
  /** An earlier attempt's outcome was unknown: the message may already have reached the person. */
  talvez_entregue: boolean;
}

/** What becomes of a claimed row: its next status and why (written by sql/record-outcomes.ts). */
export interface Outcome {
  disparo_id: string;
  status: Exclude<DisparoStatus, 'em_execucao'>;
  message_id?: string | null;
  erro?: string | null;
  erro_classe?: ErrorClass | null;
  motivo?: string | null;
  /** When a row that goes back to the queue (pendente, adiado) is due again. */
  proxima?: Date | null;
  raw?: unknown;
  /** Handed back without an attempt (its send slot was missed): the attempt is not counted. */
  devolvido?: boolean;
  /** The WhatsApp id the downstream reported (may be the old 8-digit form): kept to match replies. */
  wa_id?: string | null;
  /** When the downstream call was made (enviado_em: the moment the message left, for pacing audits). */
  sent_at?: Date;
  /** The provider's code of a refusal (its action: core/outreach/provider-actions.ts). */
  codigo?: string | null;
  /** This attempt's outcome is unknown (sticky: see Claimed.talvez_entregue). */
  talvez_entregue?: boolean;
}
