/**
 * Who acted: written into every audit row (lead_eventos.ator, supressoes.ator, …) and logs. Built once
 * per call or command (src/scope.ts), never from tool arguments.
 */
export type Actor =
  /** An HTTP caller, by its bearer token (id and the name given at `token create`). */
  | { kind: 'token'; tokenId: string; name: string | null }
  /** The operator's own client over stdio (Claude Desktop, an IDE), acting as the configured tenant. */
  | { kind: 'stdio'; tenantSlug: string }
  /** A CLI command (reminders, worker, demo). */
  | { kind: 'cli'; command: string }
  /** The server itself (the executor, a campaign, the start-up sweep). */
  | { kind: 'system'; component: string };

/**
 * The actor as one short string for audit columns.
 * @example actorLabel({ kind: 'token', tokenId: '0193…', name: 'orquestrador' }) // 'token:0193…(orquestrador)'
 */
export function actorLabel(a: Actor): string {
  switch (a.kind) {
    case 'token':
      return `token:${a.tokenId}${a.name ? `(${a.name})` : ''}`.slice(0, 200);
    case 'stdio':
      return `stdio:${a.tenantSlug}`;
    case 'cli':
      return `cli:${a.command}`;
    case 'system':
      return `sistema:${a.component}`;
  }
}

export const systemActor = (component: string): Actor => ({ kind: 'system', component });
