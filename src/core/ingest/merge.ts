import type { Tx } from '../../db/tenant.js';
import type { LegalBasis } from '../model/index.js';
import {
  EMAIL_COLUMNS,
  EVENT_COLUMNS,
  LEAD_COLUMNS,
  leadRow,
  PHONE_COLUMNS,
  assignRows,
  type NewLead,
} from './merge-rows.js';
import type { NormalizedRow } from './normalize-row.js';
import type { CopyIn, CopyValue } from './ports.js';
import { lockForMerge } from './sql/lock-for-merge.js';
import { insertDebts } from './sql/insert-debts.js';
import { markSuppressed } from './sql/mark-suppressed.js';
import { resuppressErasedValues } from './sql/erased-values.js';
import { matchExisting } from './sql/match-existing.js';
import { updateExisting } from './sql/update-existing.js';

export type { CopyIn, CopyValue, TenantCopyTx } from './ports.js';

/** A normalised row with its place in the job and its chunk-local group (see groupRows). */
export interface StagedRow extends NormalizedRow {
  seq: number;
  /** The chunk-local group of rows that are one lead: the smallest seq in the group. */
  grupo: number;
}

export interface MergeCounts {
  rows: number;
  created: number;
  /** Existing leads (from earlier chunks or imports) that rows were merged into. */
  updated: number;
  /** Rows that did not create a lead: merged into an existing lead or into another row's lead. */
  duplicates: number;
}

export interface MergeSource {
  jobId: string;
  tenantId: string;
  arquivo: string;
  actor: string;
  /** When the rows were imported (each row's origem says so). */
  importedAt: Date;
  /** The import's legal basis (LGPD art. 7); null/absent: per row (merge-rows.ts defaultLegalBasis). */
  baseLegal?: LegalBasis | null;
}

const SUPPRESSED_MOTIVO = 'documento, telefone ou e-mail na lista de supressão (opt-out anterior)';

/**
 * Merges one chunk of rows (grouped in memory by groupRows: same document; same name + shared phone or
 * e-mail) into leads, lead_telefones and lead_emails (and lead_eventos for a lead born opted out), in the
 * caller's tenant transaction.
 * Against existing leads (sql/match-existing.ts):
 *  1. a row with a valid document is the existing lead with that document;
 *  2. a row without one is the existing lead with the same name key that has one of its phones or
 *     e-mails (the oldest such lead);
 *  3. a row with only a name is the existing lead with that name and nothing else to tell them apart;
 *  4. companies that only share a phone (different names) stay different leads;
 *  and a group follows its first row that matched an existing lead.
 * Every other group is a new lead built here (first-seen values, every row in origem, phones and
 * e-mails without duplicates) and written with COPY; existing leads get their new rows in origem,
 * empty fields filled, new phones/e-mails added, and their status is never touched (an opted-out lead
 * stays opted out). A new lead whose document, phone or e-mail is on the suppression list is born
 * opted out. A tenant-wide transaction lock serialises concurrent merges so two overlapping imports
 * cannot both create the same lead; chunks are small, so imports interleave.
 */
export async function mergeChunk(
  tx: Tx,
  copy: CopyIn,
  src: MergeSource,
  rows: readonly StagedRow[],
): Promise<MergeCounts> {
  const { tenantId } = src;
  if (!rows.length) return { rows: 0, created: 0, updated: 0, duplicates: 0 };
  await lockForMerge(tx, tenantId);
  const { existing, hasSuppressions } = await matchExisting(tx, tenantId, rows);
  // A group with a row that is an existing lead is that lead (its first such row decides).
  const groupLead = new Map<number, string>();
  rows.forEach((r, i) => {
    const hit = existing[i];
    if (hit && !groupLead.has(r.grupo)) groupLead.set(r.grupo, hit);
  });
  const importadoEm = `${src.importedAt.toISOString().slice(0, 19)}Z`;
  const { newLeads, touched } = assignRows(rows, groupLead, tenantId, { ...src, importadoEm });
  if (newLeads.size && hasSuppressions) await markSuppressed(tx, tenantId, newLeads);
  await copyNewLeads(copy, tenantId, newLeads, src.actor);
  const updated = touched.size ? await updateExisting(tx, tenantId, touched) : 0;
  if (touched.size && hasSuppressions) await resuppressErasedValues(tx, tenantId, touched.values());
  await insertDebts(tx, tenantId, [...newLeads.values(), ...touched.values()]);
  return { rows: rows.length, created: newLeads.size, updated, duplicates: rows.length - newLeads.size };
}

/**
 * The new leads, their phones and e-mails by COPY. The import itself is recorded once, in origem (file,
 * sheet, row, job, time), which the lead's history reads as its first entry (leads/get-lead.ts): no
 * event row per imported lead. Opt-outs at birth are events.
 */
async function copyNewLeads(copy: CopyIn, tenantId: string, newLeads: Map<number, NewLead>, actor: string) {
  const leadValues: CopyValue[][] = [];
  const phoneValues: CopyValue[][] = [];
  const emailValues: CopyValue[][] = [];
  const optOuts: CopyValue[][] = [];
  for (const l of newLeads.values()) {
    leadValues.push(leadRow(tenantId, l));
    for (const p of l.phones.values()) phoneValues.push(p);
    for (const e of l.emails.values()) emailValues.push(e);
    if (l.suppressed) optOuts.push([tenantId, l.lead_id, 'transicao', 'novo', 'opt_out', SUPPRESSED_MOTIVO, actor, {}]);
  }
  await copy('leads', LEAD_COLUMNS, leadValues);
  await copy('lead_telefones', PHONE_COLUMNS, phoneValues);
  await copy('lead_emails', EMAIL_COLUMNS, emailValues);
  await copy('lead_eventos', EVENT_COLUMNS, optOuts);
}
