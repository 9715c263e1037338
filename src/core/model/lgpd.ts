/** LGPD art. 18 rights a data subject's request asks for (lgpd_solicitacoes.tipo, migration 036). */
export const LGPD_REQUEST_TYPES = ['acesso', 'exportacao', 'correcao', 'eliminacao', 'oposicao'] as const;
export type LgpdRequestType = (typeof LGPD_REQUEST_TYPES)[number];

/** A request is open until answered (art. 19: within 15 days), then done or refused. */
export const LGPD_REQUEST_STATUSES = ['aberta', 'concluida', 'recusada'] as const;
export type LgpdRequestStatus = (typeof LGPD_REQUEST_STATUSES)[number];
