/**
 * Opt-out registries (e.g. São Paulo's "Não Me Ligue", Lei 13.226/2008 as amended by Lei 17.334/2021):
 * a list of phone numbers that may not be called or messaged, offers and collections alike, from 30 days
 * after registration. Imported from a CSV/XLSX file (the ingest's file rules: allowed folders, or the
 * file inline) as one source; a newer file of the same source replaces the older one's entries. The
 * decision gate registro_nao_perturbe reads them (registry-sql.ts), and so does the
 * send-time re-check.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { RowProblem } from '../jobs/job-schema.js';
import { parseDueDate } from '../normalize/due-date.js';
import { normalizePhone, phoneVariants } from '../normalize/index.js';
import type { OpenedSpreadsheet } from '../ingest/ports.js';
import { addDays, localParts } from '../time/index.js';

/** Days from registration to a registry entry being in force (SP Lei 13.226/2008 as amended). */
export const REGISTRY_GRACE_DAYS = 30;
/** At most this many numbers per file (SP's list is a few million: split it by DDD). */
export const MAX_REGISTRY_NUMBERS = 2_000_000;
const MAX_PROBLEMS = 50;
const BATCH = 5000;

export interface RegistryImport {
  /** Source name, e.g. 'sp_nao_me_ligue' (lowercase, digits, underscore). */
  source: string;
  /** The list's date (YYYY-MM-DD or dd/mm/yyyy): its numbers are in force 30 days after it. */
  listDate?: string;
  actor: string;
  now: Date;
}

export interface RegistryResult {
  source: string;
  numbers: number;
  /** Entries of the same source the import replaced. */
  replaced: number;
  /** The earliest date an entry is in force (ISO). */
  effective_from: string | null;
  problems_total: number;
  problems: RowProblem[];
}

interface Entry {
  numero_e164: string;
  vigente_desde: string;
}

/**
 * Reads the file's rows: in each, the first cell with a phone number (any form: "(11) 98765-4321",
 * "5511987654321", "+55 11 …") and, when another cell holds a date, that date as the registration date
 * (in force 30 days later); without one, the list's date + 30 days, or — no date known — the import day
 * (in force at once: the safe side). A header row and rows without digits are skipped; a number that is
 * not a phone is a row problem, the other rows are kept.
 */
export async function readRegistry(
  file: OpenedSpreadsheet,
  imp: RegistryImport,
): Promise<{ entries: Map<string, Entry>; problems: RowProblem[]; problemsTotal: number }> {
  const today = localParts(imp.now, 'America/Sao_Paulo').date;
  const listDate = imp.listDate ? isoDate(imp.listDate, 'registry_date') : null;
  const fallback = listDate ? addDays(listDate, REGISTRY_GRACE_DAYS) : today;
  const entries = new Map<string, Entry>();
  const problems: RowProblem[] = [];
  let problemsTotal = 0;
  for await (const row of file.rows({})) {
    const cells = row.cells.map((c) => c.trim());
    const phoneAt = cells.findIndex((c) => /\d{8,}/.test(c.replace(/\D/g, '')) && !parseDueDate(c).ok);
    if (phoneAt < 0) continue;
    const p = normalizePhone(cells[phoneAt]);
    if (!p.numero_e164) {
      if (problemsTotal++ < MAX_PROBLEMS)
        problems.push({
          row: row.rowNumber,
          sheet: row.sheet,
          value: cells[phoneAt].slice(0, 200),
          reason: `${p.motivo_invalido ?? 'telefone inválido'}: número não importado`,
        });
      continue;
    }
    const dateCell = cells.find((c, i) => i !== phoneAt && c && parseDueDate(c).ok);
    const registered = dateCell ? (parseDueDate(dateCell) as { data: string }).data : null;
    const vigente = registered ? addDays(registered, REGISTRY_GRACE_DAYS) : fallback;
    const numero = phoneVariants(p.numero_e164).sort((a, b) => b.length - a.length)[0];
    const had = entries.get(numero);
    if (!had || vigente < had.vigente_desde) entries.set(numero, { numero_e164: numero, vigente_desde: vigente });
    if (entries.size > MAX_REGISTRY_NUMBERS)
      throw new AppError(
        'invalid_argument',
        `The registry has more than ${MAX_REGISTRY_NUMBERS} numbers: split it by DDD.`,
      );
  }
  return { entries, problems, problemsTotal };
}

/** Replaces the source's entries with these (one transaction): the newer file is the list. */
export async function storeRegistry(
  tx: Tx,
  tenantId: string,
  imp: RegistryImport,
  arquivo: string,
  entries: Map<string, Entry>,
): Promise<{ replaced: number; effectiveFrom: string | null }> {
  const del = await tx
    .deleteFrom('registros_opt_out')
    .where('tenant_id', '=', tenantId)
    .where('fonte', '=', imp.source)
    .executeTakeFirst();
  const all = [...entries.values()];
  for (let i = 0; i < all.length; i += BATCH) {
    await sql`insert into registros_opt_out (tenant_id, fonte, numero_e164, vigente_desde, arquivo, ator)
      select ${tenantId}, ${imp.source}, e.numero_e164, e.vigente_desde, ${arquivo.slice(0, 500)}, ${imp.actor.slice(0, 200)}
      from jsonb_to_recordset(${JSON.stringify(all.slice(i, i + BATCH))}::jsonb) as e(numero_e164 text, vigente_desde date)`.execute(
      tx,
    );
  }
  const effectiveFrom = all.reduce<string | null>((m, e) => (m && m < e.vigente_desde ? m : e.vigente_desde), null);
  return { replaced: Number(del.numDeletedRows ?? 0), effectiveFrom };
}

/** The tenant's registries: per source, how many numbers, from when, which file, when imported. */
export async function listRegistries(tx: Tx, tenantId: string) {
  const { rows } = await sql<{
    source: string;
    numbers: number;
    effective_from: string;
    file: string;
    imported_at: string;
  }>`select fonte as source, count(*)::int as numbers, to_char(min(vigente_desde), 'YYYY-MM-DD') as effective_from,
            max(arquivo) as file, to_char(max(importado_em) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as imported_at
     from registros_opt_out where tenant_id = ${tenantId} group by fonte order by fonte`.execute(tx);
  return rows;
}

function isoDate(text: string, field: string): string {
  const d = parseDueDate(text);
  if (!d.ok) throw new AppError('invalid_argument', `${field} "${text}" is not a date (YYYY-MM-DD or dd/mm/yyyy).`);
  return d.data;
}
