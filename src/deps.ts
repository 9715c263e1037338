import type { Scope } from './auth/tokens.js';
import type { BackgroundTasks } from './background.js';
import type { Config } from './config.js';
import type { CalendarPort } from './core/meetings/calendar-port.js';
import type { ChannelClient } from './core/outreach/channel-port.js';
import type { Actor } from './core/model/index.js';
import type { Clock, Logger } from './core/ports.js';
import type { Db } from './db/connect.js';
import type { Tenant } from './db/tenant.js';
import type { Toolset } from './tools/define-tool.js';

/** One downstream channel as the status tool reports it. */
export interface ChannelStatus {
  channel: 'whatsapp' | 'email' | 'calendar';
  server: string | null;
  preset: string | null;
  transport: 'stdio' | 'http' | null;
  state: 'configured' | 'not_configured' | 'config_error';
  detail: string | null;
  /** Whether the preset was run against its real server (src/channels/presets.ts); null for custom profiles. */
  preset_proof?: 'proven' | 'unverified' | null;
  /** What it was proven against, or why it is unverified. */
  preset_proof_detail?: string | null;
  /** This process's last delivered send on the channel (ISO). */
  last_success_at?: string | null;
  /** This process's last failed send: errorClass as stored in disparos.erro_classe, the finer reason, the provider code. */
  last_failure?: { at: string; error_class: string; reason: string | null; provider_code: string | null } | null;
}

/** Everything buildServer needs, built by the composition root (main.ts) or by a test. */
export interface ServerDeps {
  db: Db;
  /** The tenant every tool call acts for: from AGENTE_TENANT over stdio, from the bearer token over HTTP. */
  tenant: Tenant;
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Jobs that continue after the tool call returns. */
  tasks: BackgroundTasks;
  /** The downstream channel layer; used only when MICRO_AGENT_DISPARO_ENABLED is exactly "true". */
  channelClient?: ChannelClient;
  /** The downstream calendar; like channelClient, present only when sending is on. */
  calendar?: CalendarPort;
  /** Downstream channels as configured in mcp.json. */
  channels(): ChannelStatus[];
  /** How the server is reached, for the status tool. */
  transport: 'stdio' | 'http' | 'memory';
  /** Register no tool that sends or changes downstream state (--read-only). */
  readOnly?: boolean;
  /**
   * The caller's token scopes (HTTP); absent = everything (stdio: the operator's own process).
   * read → tools that read; dispatch → also tools that write and send; admin → everything, including
   * the tenant's configuration (set_outreach_policy).
   */
  scopes?: readonly Scope[];
  /**
   * Who the calls of this server act as (audit rows): the bearer token over HTTP. Absent: the stdio
   * operator of the configured tenant.
   */
  actor?: Actor;
  /** Register only these toolsets (all when absent). */
  toolsets?: Toolset[];
}
