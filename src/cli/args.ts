import { parseArgs } from 'node:util';

/** The command line: its usage text and the parsed options every command reads from. */

export const USAGE = `agente-disparo-agenda — MCP server for lead dispatch and scheduling

Usage:
  agente-disparo-agenda                      MCP server over stdio (what Claude Desktop runs)
  agente-disparo-agenda serve [--http] [--port 3333] [--host 127.0.0.1] [--no-auth]
  agente-disparo-agenda serve --webhooks-only [--port 3333] [--host 127.0.0.1] [--no-processing]
                                             provider webhooks only (/webhooks/…), no MCP: a public edge
  agente-disparo-agenda webhook create --tenant SLUG --provider whatsapp_cloud|twilio|waha|evolution
                                             --secret-env VAR [--verify-token TOKEN] [--public-url URL]
  agente-disparo-agenda worker               dispatch executor, inbound processing and inbox polling
                                             (PostgreSQL; run any number)
  agente-disparo-agenda inbox                poll the channels' inbox and status tools once and process
                                             what arrived (cron-safe)
  agente-disparo-agenda reminders [--window-hours 24]
                                             queue one reminder per meeting starting soon and send them (cron-safe)
  agente-disparo-agenda lgpd open|list|export|erase|complete|refuse [--document CPF/CNPJ] [--phone N] [--email E]
                                             [--type access|export|correction|erasure|objection] [--request ID] [--out DIR]
                                             LGPD data subject requests (export writes JSON and CSV under the data dir)
  agente-disparo-agenda registry import FILE [--registry sp_nao_me_ligue] [--date YYYY-MM-DD] [--tenant SLUG]
                                             an opt-out registry (CSV/XLSX of phones in AGENTE_INGEST_DIRS)
  agente-disparo-agenda event-webhook add --url URL [--types T1,T2] [--personal-data] | list | rotate ID | remove ID
                                             [--tenant SLUG] endpoints that receive the tenant's events (signed)
  agente-disparo-agenda migrate              apply database migrations and exit
  agente-disparo-agenda token create --tenant SLUG [--name NAME] [--scopes read,dispatch,admin]
  agente-disparo-agenda token revoke TOKEN_ID|TOKEN_PREFIX
  agente-disparo-agenda demo                 the whole flow through a real MCP client, on a fresh PGlite

Options for the server: --read-only (no tool that sends), --toolsets core,leads,dispatch,meetings
Environment: DATABASE_URL, AGENTE_DATA_DIR, AGENTE_TENANT, MICRO_AGENT_DISPARO_ENABLED, AGENTE_MCP_CONFIG,
  AGENTE_INGEST_DIRS, AGENTE_LOG_LEVEL, AGENTE_HTTP_ALLOWED_HOSTS, AGENTE_HTTP_ALLOWED_ORIGINS,
  AGENTE_HTTP_PUBLIC_URL, AGENTE_OAUTH_ISSUER (OAuth access tokens beside static ones; see README),
  AGENTE_INBOX_POLL_SECONDS (default 60; 0 = no polling), AGENTE_MESSAGE_ID_DOMAIN,
  EVENT_BUS_NAME, AGENTE_EVENTS_ALLOW_PRIVATE_URLS (README "Events").`;

/** The options of every command (each reads the ones it knows). */
export type CliValues = Record<string, unknown>;

export function parseCommandLine(argv: string[]): { values: CliValues; positionals: string[] } {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      http: { type: 'boolean' },
      'webhooks-only': { type: 'boolean' },
      'no-processing': { type: 'boolean' },
      provider: { type: 'string' },
      'secret-env': { type: 'string' },
      'verify-token': { type: 'string' },
      'public-url': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'no-auth': { type: 'boolean' },
      'read-only': { type: 'boolean' },
      'no-executor': { type: 'boolean' },
      toolsets: { type: 'string' },
      'window-hours': { type: 'string' },
      tenant: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      document: { type: 'string' },
      phone: { type: 'string' },
      email: { type: 'string' },
      type: { type: 'string' },
      request: { type: 'string' },
      'received-at': { type: 'string' },
      note: { type: 'string' },
      out: { type: 'string' },
      registry: { type: 'string' },
      url: { type: 'string' },
      types: { type: 'string' },
      'personal-data': { type: 'boolean' },
      date: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

export function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}
