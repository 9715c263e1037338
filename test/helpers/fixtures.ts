import { plantingFixtures } from './transition-guard.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { withTenant } from '../../src/db/tenant.js';

export interface LeadSpec {
  nome: string;
  contato?: string;
  documento?: string;
  documento_tipo?: 'cpf' | 'cnpj';
  status?: string;
  timezone?: string;
  /** The sheet's UF (leads.uf); absent: the DDD says. */
  uf?: string;
  phones?: Array<{ e164: string; tipo?: string; valido?: boolean }>;
  emails?: Array<{ email: string; valido?: boolean }>;
  /** The lead's debts; default one of R$ 1.234,56 due 10/11/2026 (what a collection message states). */
  debts?: Array<{ valor_centavos: number | null; vencimento: string | null; contrato?: string }>;
}

export const DEFAULT_DEBT = { valor_centavos: 123456, vencimento: '2026-11-10', contrato: 'CT-1' };

/** Inserts a lead with its phones and e-mails directly (for decision and policy tests). */
export async function insertLead(db: Kysely<Database>, tenantId: string, s: LeadSpec): Promise<string> {
  // Row-level security: tenant rows are written inside the tenant's scope.
  if (!db.isTransaction) return withTenant(db, tenantId, (tx) => insertLead(tx, tenantId, s));
  await plantingFixtures(db);
  const { lead_id } = await db
    .insertInto('leads')
    .values({
      tenant_id: tenantId,
      nome: s.nome,
      nome_chave: s.nome.toLowerCase(),
      contato_nome: s.contato ?? null,
      documento: s.documento ?? null,
      documento_tipo: s.documento ? (s.documento_tipo ?? 'cnpj') : null,
      documento_valido: !!s.documento,
      status: s.status ?? 'novo',
      timezone: s.timezone ?? 'America/Sao_Paulo',
      uf: s.uf ?? null,
      origem: JSON.stringify([]),
      dados_extras: JSON.stringify({}),
    })
    .returning('lead_id')
    .executeTakeFirstOrThrow();
  for (const [i, p] of (s.phones ?? []).entries()) {
    const valid = p.valido ?? true;
    await db
      .insertInto('lead_telefones')
      .values({
        tenant_id: tenantId,
        lead_id,
        numero_original: p.e164,
        numero_e164: p.e164,
        tipo: p.tipo ?? (valid ? 'movel' : 'fixo'),
        valido_para_disparo: valid,
        motivo_invalido: valid ? null : 'telefone fixo não recebe WhatsApp',
        posicao: i,
      })
      .execute();
  }
  for (const [i, e] of (s.emails ?? []).entries()) {
    const valid = e.valido ?? true;
    await db
      .insertInto('lead_emails')
      .values({
        tenant_id: tenantId,
        lead_id,
        email_original: e.email,
        email_normalizado: e.email,
        valido_para_disparo: valid,
        motivo_invalido: valid ? null : 'domínio inválido',
        posicao: i,
      })
      .execute();
  }
  for (const d of s.debts ?? [DEFAULT_DEBT]) {
    await db
      .insertInto('dividas')
      .values({
        tenant_id: tenantId,
        lead_id,
        valor_centavos: d.valor_centavos,
        vencimento: d.vencimento,
        contrato: d.contrato ?? null,
      })
      .execute();
  }
  return lead_id;
}
