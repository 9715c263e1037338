import { sql } from 'kysely';
import { AppError } from '../errors.js';
import { BLOCK_CODES, DEFERRAL_CODES } from '../model/index.js';
import type { Scope } from '../scope.js';
import { campaignOrThrow } from './funnel.js';
import { decodeCursor, encodeCursor, type ReportInput } from './input.js';
import type { Page } from './lists.js';

/**
 * "Quem não receberia e por quê?": the leads a dry run (its batch, or a dry-run campaign's) would not
 * send to, by block code then log row, a page at a time, with the counts by code of the whole batch.
 * Deferrals (send window, daily cap) are not blocks; ask for one by `reason` to list those.
 */
export async function blockedLeads(
  scope: Scope,
  input: ReportInput,
): Promise<Page & { blocked_by_reason: Record<string, number> }> {
  const t = scope.tenant.tenant_id;
  const after = decodeCursor(input.cursor);
  return scope.tx(async (tx) => {
    let batch = input.batch_id ?? null;
    if (!batch && input.campaign_id) {
      const c = await campaignOrThrow(tx, t, input.campaign_id);
      batch = c.dry_run_lote_id;
      if (!batch)
        throw new AppError(
          'failed_precondition',
          `Campaign ${c.campanha_id} is a real one: it keeps only its counts by block code (get_report {view: "funnel"}). ` +
            'To name the leads, rehearse the same target with dry_run_dispatch and pass its batch_id here.',
        );
    }
    if (!batch)
      throw new AppError('invalid_argument', 'view "blocked" needs batch_id (from dry_run_dispatch) or campaign_id.');
    if (input.reason && !(BLOCK_CODES as readonly string[]).includes(input.reason))
      throw new AppError(
        'invalid_argument',
        `reason "${input.reason}" is not a block code: ${BLOCK_CODES.join(', ')}.`,
      );
    const codes = input.reason ? [input.reason] : null;
    const notDeferred = sql`codigo_bloqueio <> all(${[...DEFERRAL_CODES]}::text[])`;
    const which = codes ? sql`codigo_bloqueio = any(${codes}::text[])` : notDeferred;
    const counts = await sql<{ codigo: string; n: number }>`
      select codigo_bloqueio as codigo, count(*)::int as n from dry_run_log
      where tenant_id = ${t} and lote_id = ${batch} and codigo_bloqueio is not null and ${notDeferred}
      group by 1 order by 2 desc, 1`.execute(tx);
    const { rows } = await sql<{
      log_id: string;
      lead_id: string | null;
      lead_nome: string | null;
      canal_decidido: string | null;
      codigo_bloqueio: string;
      razao_bloqueio: string | null;
    }>`
      select log_id, lead_id, lead_nome, canal_decidido, codigo_bloqueio, razao_bloqueio from dry_run_log
      where tenant_id = ${t} and lote_id = ${batch} and codigo_bloqueio is not null and ${which}
        ${after ? sql`and (codigo_bloqueio, log_id) > (${String(after[0])}, ${String(after[1])}::uuid)` : sql``}
      order by codigo_bloqueio, log_id
      limit ${input.limit + 1}`.execute(tx);
    const shown = rows.slice(0, input.limit);
    const last = shown[shown.length - 1];
    return {
      blocked_by_reason: Object.fromEntries(counts.rows.map((r) => [r.codigo, r.n])),
      rows: shown.map((r) => ({
        lead_id: r.lead_id,
        company: r.lead_nome,
        channel: r.canal_decidido,
        reason: r.codigo_bloqueio,
        detail: r.razao_bloqueio,
      })),
      next_cursor: rows.length > input.limit ? encodeCursor([last.codigo_bloqueio, last.log_id]) : null,
    };
  });
}
