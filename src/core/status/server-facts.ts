import { z } from 'zod';
import type { ChannelLimits } from '../dispatch/limits.js';
import { CHANNELS, ERROR_CLASSES } from '../model/index.js';

/** One downstream channel as mcp.json configures it (no connection is made to know). */
export const ChannelStateSchema = z.object({
  channel: z.enum(CHANNELS),
  server: z.string().nullable(),
  preset: z.string().nullable(),
  transport: z.enum(['stdio', 'http']).nullable(),
  state: z.enum(['configured', 'not_configured', 'config_error']),
  detail: z.string().nullable(),
  preset_proof: z.enum(['proven', 'unverified']).nullable(),
  preset_proof_detail: z.string().nullable(),
  last_success_at: z.string().nullable(),
  last_failure: z
    .object({
      at: z.string(),
      error_class: z.enum(ERROR_CLASSES),
      reason: z.string().nullable(),
      provider_code: z.string().nullable(),
    })
    .nullable(),
});
export type ChannelState = z.infer<typeof ChannelStateSchema>;

export const DB_KINDS = ['pglite', 'postgres'] as const;

/**
 * Port: what the running server knows about itself, for get_status (src/scope.ts provides it from the
 * composition root's dependencies).
 */
export interface ServerFacts {
  readonly name: string;
  readonly version: string;
  /** How this server is reached. */
  readonly transport: string;
  /** --read-only: no tool that sends is registered. */
  readonly readOnly: boolean;
  readonly database: { readonly kind: (typeof DB_KINDS)[number]; readonly label: string };
  /** Migrations applied to the database, and the ones this version has that are not applied yet. */
  migrations(): Promise<{ applied: string[]; pending: string[] }>;
  /** Folders ingest_leads may read a file_path from, for this caller; inbox: the default one, when in use. */
  readonly ingest: { readonly folders: string[]; readonly inbox: string | null };
  channels(): ChannelState[];
  /**
   * A tenant's dispatch limits as this process read them less than LIMITS_MAX_AGE_MS ago (by the clock
   * and in real time), or read now with `read`: get_status calls within that window share one read.
   * `checkedAt`: the clock's time of the read.
   */
  recentLimits(
    tenantId: string,
    now: Date,
    read: () => Promise<ChannelLimits[]>,
  ): Promise<{ limits: ChannelLimits[]; checkedAt: Date }>;
  /** Forgets a tenant's recent limits: the next get_status reads them (set_outreach_policy changed them). */
  forgetLimits(tenantId: string): void;
}

/** How old get_status's dispatch limits may be (ServerFacts.recentLimits); the answer says when they were read. */
export const LIMITS_MAX_AGE_MS = 3000;
