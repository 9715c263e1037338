import { plantingFixtures } from './transition-guard.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { asOwner } from './tenant-seed.js';
import { startCampaign } from '../../src/core/dispatch/start-campaign.js';
import { setRateLimit } from '../../src/core/dispatch/rate-limit.js';
import { savePolicy } from '../../src/core/outreach/policy.js';
import { saveTemplateOverride } from '../../src/core/outreach/templates.js';
import { OPT_OUT_TEXT } from '../../src/core/templates/opt-out.js';
import { builtinCatalogue } from '../../src/sandbox/platform.js';
import type { TemplateDef } from '../../src/core/templates/types.js';
import type { Db } from '../../src/db/connect.js';
import { withTenant, type Tx } from '../../src/db/tenant.js';
import { createScope } from '../../src/scope.js';
import { ROOT } from './spawn.js';
import { makeDeps } from './server.js';

/**
 * An mcp.json whose sandbox servers record into dir, with extra env (fault knobs) per channel. The sandbox
 * WhatsApp platform approves the built-in templates and NOTICE_TEMPLATE.
 */
export function writeSandboxMcpConfig(
  dir: string,
  env: { whatsapp?: Record<string, string>; email?: Record<string, string> } = {},
): string {
  const server = (name: string, extra: Record<string, string> = {}) => ({
    command: process.execPath,
    args: [join(ROOT, 'dist', 'sandbox', `${name}-server.js`)],
    env: { SANDBOX_RECORD: join(dir, `${name}.jsonl`), ...extra },
  });
  // The platform's catalogue: the built-in templates and NOTICE_TEMPLATE, approved (unless env names another).
  const catalogue = join(dir, 'sandbox-templates.json');
  writeFileSync(
    catalogue,
    JSON.stringify([
      ...builtinCatalogue(),
      {
        name: NOTICE_TEMPLATE.whatsapp!.nome_aprovado,
        language: 'pt_BR',
        params: NOTICE_TEMPLATE.whatsapp!.parametros,
      },
    ]),
  );
  env = { ...env, whatsapp: { SANDBOX_TEMPLATES: catalogue, ...env.whatsapp } };
  const path = join(dir, 'mcp.json');
  writeFileSync(
    path,
    JSON.stringify({
      mcpServers: { wa: server('whatsapp', env.whatsapp), mail: server('email', env.email) },
      channels: {
        whatsapp: { server: 'wa', preset: 'sandbox-whatsapp' },
        email: { server: 'mail', preset: 'sandbox-email' },
      },
    }),
  );
  return path;
}

/** Sends the sandbox recorded (without idempotent replays). */
export function sandboxSends(
  dir: string,
  channel = 'whatsapp',
): Array<{ ts: string; idempotency_key: string; args: Record<string, unknown> }> {
  try {
    return readFileSync(join(dir, `${channel}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => !r.duplicate);
  } catch {
    return [];
  }
}

/** makeDeps's `channels`: these channels, each configured on a stdio server. */
export function configuredChannels(...channels: Array<'whatsapp' | 'email' | 'calendar'>) {
  return () =>
    channels.map((channel) => ({
      channel,
      server: 's',
      preset: null,
      transport: 'stdio' as const,
      state: 'configured' as const,
      detail: null,
    }));
}

/**
 * A sending policy with its window open all week (holidays too): signed 'Teste', one message per lead a
 * day, unless `over` says otherwise.
 */
export function policyOpenAllWeek(tx: Tx, tenantId: string, over: { remetente?: string; maxPorLead24h?: number } = {}) {
  return savePolicy(tx, tenantId, {
    remetente: 'Teste',
    janela: { dias: Array(7).fill({ inicio: '00:00', fim: '24:00' }), respeitar_feriados: false },
    maxPorLead24h: 1,
    ...over,
  });
}

/**
 * A tenant's own WhatsApp notice that is not a collection message (names no debt nor creditor), approved on
 * the sandbox platform. A collection message may only go in the hours of the lead's state (never at night,
 * on Sundays or holidays), so a test or bench that sends one on the real clock passes or measures nothing
 * depending on when it runs. This one, from a tenant without a creditor to leads without debts, goes whenever
 * the tenant's window (open all week) allows: the worker holds any message whose variables name a debt or a
 * creditor to the law's hours, whatever its template says.
 */
export const NOTICE_TEMPLATE: TemplateDef = {
  id: 'aviso_teste_whatsapp_v1',
  canal: 'whatsapp',
  descricao: 'Aviso curto sem cobrança (testes e benchmarks).',
  corpo: `Olá, {{contato}}! A equipe de {{remetente}} quer falar com você.\n\n${OPT_OUT_TEXT}`,
  whatsapp: { nome_aprovado: 'aviso_teste_whatsapp_v1', idioma: 'pt_BR', parametros: ['contato', 'remetente'] },
};

/** NOTICE_TEMPLATE's e-mail (a campaign names a template per channel; none of them may be a collection). */
export const NOTICE_EMAIL_TEMPLATE: TemplateDef = {
  id: 'aviso_teste_email_v1',
  canal: 'email',
  descricao: 'Aviso curto sem cobrança por e-mail (testes e benchmarks).',
  assunto: 'Aviso de {{remetente}}',
  corpo: `Olá, {{contato}}! A equipe de {{remetente}} quer falar com você.\n\n${OPT_OUT_TEXT}`,
};

/**
 * n leads with a valid WhatsApp mobile each (inserted set-based), a send window open all week, the
 * given pace, and a campaign enqueued over all of them with the notice templates (any hour, any day).
 * Returns the campaign id.
 */
export async function seedCampaign(
  db: Db,
  n: number,
  perSecond: number | null,
  opts: { pace?: number; maxRecipients24h?: number; pairMs?: number } = {},
): Promise<{ campaignId: string; tenantId: string; deps: Awaited<ReturnType<typeof makeDeps>> }> {
  const deps = await makeDeps(db, {
    tenantSlug: `w-${Math.random().toString(36).slice(2, 8)}`,
    config: { dispatchEnabled: true },
    channels: configuredChannels('whatsapp', 'email', 'calendar'),
    creditor: null,
  });
  const t = deps.tenant.tenant_id;
  await withTenant(db.kysely, t, async (tx) => {
    await plantingFixtures(tx);
    await sql`
      insert into leads (tenant_id, nome, nome_chave, contato_nome, documento, documento_tipo, documento_valido)
      select ${t}, 'Empresa ' || i, 'empresa ' || i, 'Contato ' || i, lpad(i::text, 14, '0'), 'cnpj', false from generate_series(1, ${n}) i`.execute(
      tx,
    );
    await sql`
      insert into lead_telefones (tenant_id, lead_id, numero_original, numero_e164, tipo, valido_para_disparo)
      select ${t}, lead_id, nome, '+55119' || lpad(substr(nome, 9), 8, '0'), 'movel', true from leads where tenant_id = ${t}`.execute(
      tx,
    );
    await policyOpenAllWeek(tx, t);
    for (const def of [NOTICE_TEMPLATE, NOTICE_EMAIL_TEMPLATE]) {
      const problems = await saveTemplateOverride(tx, t, def);
      if (problems.length) throw new Error(`${def.id}: ${problems.join('; ')}`);
    }
    await setRateLimit(tx, t, 'whatsapp', perSecond, opts.maxRecipients24h);
    if (opts.pairMs !== undefined)
      await sql`update rate_limits set par_intervalo_ms = ${opts.pairMs} where tenant_id = ${t}`.execute(tx);
  });
  const r = await startCampaign(createScope(deps), {
    filter: {},
    limit: n,
    campaign_key: 'carga',
    pace: opts.pace,
    template_whatsapp: NOTICE_TEMPLATE.id,
    template_email: NOTICE_EMAIL_TEMPLATE.id,
  });
  if (r.queued !== n) throw new Error(`enqueued ${r.queued} of ${n}: ${JSON.stringify(r.blocked)}`);
  return { campaignId: r.job_id, tenantId: t, deps };
}

export async function statusCounts(db: Db, campaignId: string): Promise<Record<string, number>> {
  // Read as the owner: the caller knows the campaign, not its tenant.
  const { rows } = await asOwner(db.kysely, (tx) =>
    sql<{
      status: string;
      n: number;
    }>`select status, count(*)::int as n from disparos where campanha_id = ${campaignId} group by status`.execute(tx),
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** The most events in any half-open 1-second window of sorted timestamps (ms). */
export function busiestWindow(sortedMs: number[]): number {
  let worst = 0;
  for (let i = 0, j = 0; i < sortedMs.length; i++) {
    while (sortedMs[j] < sortedMs[i] - 999) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}
