/**
 * Why a message would not go now: a decision's first failing gate, stored in
 * dry_run_log.codigo_bloqueio and counted in a campaign's summary. The order is the gates' order
 * (core/outreach/decisions-sql.ts). Deferrals say until when; the others stop the message.
 */
export const BLOCK_CODES = [
  'opt_out',
  'suprimido',
  'estado_inelegivel',
  'sem_canal',
  'canal_nao_configurado',
  'registro_nao_perturbe',
  'credor_nao_configurado',
  'contato_compartilhado',
  'divida_prescrita',
  'variaveis_ausentes',
  // WhatsApp outside the 24-hour window (core/templates/approved.ts): no approved template to send.
  'sem_template_aprovado',
  'template_pausado',
  'template_desativado',
  'marketing_recusado',
  'limite_por_destinatario',
  'fora_do_horario_cobranca',
  'fora_da_janela',
] as const;
export type BlockCode = (typeof BLOCK_CODES)[number];

/** The per-lead daily cap and the send window defer a message (queued adiado), they do not stop it. */
export const DEFERRAL_CODES: readonly BlockCode[] = [
  'limite_por_destinatario',
  'fora_do_horario_cobranca',
  'fora_da_janela',
];

export const isDeferral = (code: string | null | undefined): boolean =>
  !!code && (DEFERRAL_CODES as readonly string[]).includes(code);
