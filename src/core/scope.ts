import type { Tx, TxOptions } from '../db/tenant.js';
import type { CopyTxRunner, SpreadsheetFiles } from './ingest/ports.js';
import type { CalendarPort } from './meetings/calendar-port.js';
import type { Actor, Channel } from './model/index.js';
import type { ChannelClient } from './outreach/channel-port.js';
import type { Clock, Logger } from './ports.js';
import type { ServerFacts } from './status/server-facts.js';

/**
 * Everything a use case may use besides its input, built once per tool call or command
 * (src/scope.ts). A use case is `(scope, input) → output`; it never sees the MCP server, the
 * transport, the configuration file or the environment.
 */
export interface Scope {
  readonly tenant: { tenant_id: string; slug: string; nome: string };
  /** Who acts (audit rows and logs). */
  readonly actor: Actor;
  /** actorLabel(actor): the string written to `ator` columns. */
  readonly actorLabel: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Runs fn in one transaction scoped to the tenant (row-level security: the transaction sees and
   * writes only this tenant's rows). The only way a use case reaches the database.
   */
  tx<T>(fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** Rejects (AppError 'unavailable', with what to do) while the database must not take writes. */
  assertWritable(): Promise<void>;
  /**
   * Real sending: `enabled` only when MICRO_AGENT_DISPARO_ENABLED is exactly "true"; `flag` is the raw
   * value, to say in a dry run's answer why nothing was sent.
   */
  readonly sending: { readonly enabled: boolean; readonly flag: string | undefined };
  /** The downstream channels; present only when sending is on (the dry-run path never gets them). */
  readonly channels?: ChannelClient;
  readonly calendar?: CalendarPort;
  /**
   * The downstream channels as mcp.json configures them, whether or not sending is on: a decision picks
   * only a channel whose state is 'configured'. Absent: no channel is configured.
   */
  readonly channelStates?: () => readonly ChannelState[];
  /**
   * The channels whose state is 'configured' (from channelStates), whether sending is on or off: a
   * message or its rehearsal names the channel a real send would use. Absent: none.
   */
  readonly configuredChannels?: () => ReadonlySet<Channel>;
  /** Work that continues after the call returns (an import); the process waits for it at shutdown. */
  readonly background: { run<T>(task: Promise<T>): Promise<T> };
  /** The caller's cancellation, when there is a caller. */
  readonly signal?: AbortSignal;
  /** Spreadsheets to import: a file on the server (allowed directories only) or sent in the call. */
  readonly spreadsheets?: SpreadsheetFiles;
  /** Transactions of this tenant that can also COPY rows (an import's bulk writes). */
  readonly bulk?: CopyTxRunner;
  /**
   * How many transactions of this tenant a bulk read may run side by side, each on its own connection
   * (a dry run over many leads: dry-run-parts.ts). 1 (or absent): one transaction — PGlite has one
   * connection.
   */
  readonly connections?: number;
  /** What get_status reports about the running server (version, database, transport, channels). */
  readonly server?: ServerFacts;
}

/** One downstream channel's configuration state (src/deps.ts ChannelStatus has more for get_status). */
export interface ChannelState {
  readonly channel: Channel;
  readonly state: 'configured' | 'not_configured' | 'config_error';
  /** The channel's preset name (null: a custom profile): says which WhatsApp provider it speaks. */
  readonly preset?: string | null;
}

/** "unset" or the flag's value in quotes, for messages that say why nothing was sent. */
export const describeFlag = (s: Scope['sending']): string => (s.flag === undefined ? 'unset' : JSON.stringify(s.flag));
