/**
 * The Message-ID we give every e-mail we send (issue #15): `<disparo_id@domain>`, so a reply's
 * In-Reply-To / References names its disparo even when the downstream server reports another id (or
 * none). The domain is AGENTE_MESSAGE_ID_DOMAIN (config.ts; your sending domain is best), else
 * `agente-disparo.local`. Profiles pass it as {{messageId}} to servers that take one (presets.ts).
 */
const UUID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[A-Za-z0-9.-]+$/i;

export const DEFAULT_MESSAGE_ID_DOMAIN = 'agente-disparo.local';

/** @example messageIdFor('0190…', 'exemplo.com.br') // '<0190…@exemplo.com.br>' */
export function messageIdFor(disparoId: string, domain = DEFAULT_MESSAGE_ID_DOMAIN): string {
  return `<${disparoId}@${domain}>`;
}

/** The disparo an id we made names (with or without brackets), or null for any other id. */
export function disparoIdOfMessageId(id: string): string | null {
  const m = UUID.exec(id.trim().replace(/^<(.*)>$/, '$1'));
  return m ? m[1].toLowerCase() : null;
}
