import pLimit from 'p-limit';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { withSystem, withTenant, type Tx } from '../../db/tenant.js';
import type { ChannelClient, SendOutcome } from '../outreach/channel-port.js';
import { loadPolicy, type OutreachPolicy } from '../outreach/policy.js';
import { checkSendWindow } from '../policy/index.js';
import type { Clock, Logger } from '../ports.js';
import { transitionLeads } from '../leads/transition.js';
import {
  actorLabel,
  AGENDAMENTO_STANDING,
  OUTREACH_SENDABLE,
  systemActor,
  type AgendamentoStatus,
  type LeadStatus,
} from '../model/index.js';
import { completeCampaigns } from './campaigns.js';
import { renderFallbackEmail } from './fallback.js';
import { reserveSlots } from './rate-limit.js';

/** How often a paused executor (see ExecutorDeps.writeGuard) looks again. */
const PAUSED_RETRY_MS = 5000;

/** The write guard refused: nothing was claimed (its message is the guard's). */
class WritesPaused extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface ExecutorDeps {
  db: Kysely<Database>;
  channel: ChannelClient & { isIdempotent(canal: 'whatsapp' | 'email'): boolean };
  clock: Clock;
  logger: Logger;
  workerId: string;
  /** Rows claimed per reservation. */
  batchSize?: number;
  /** Downstream calls in flight per channel. */
  concurrency?: number;
  leaseMs?: number;
  idleMs?: number;
  sendTimeoutMs?: number;
  /**
   * Throws while this database must not take writes — PGlite with its disk
   * nearly full (db/disk-space.ts). The executor then claims nothing and retries every few seconds, so
   * sending stops together with the tools that write (an opt-out that cannot be recorded is not followed
   * by a send that can).
   */
  writeGuard?: () => Promise<void>;
}

interface Claimed {
  disparo_id: string;
  tenant_id: string;
  lead_id: string;
  canal: 'whatsapp' | 'email';
  destino: string;
  template: string;
  conteudo: string;
  assunto: string | null;
  variaveis: Record<string, unknown>;
  idempotency_key: string;
  tentativas: number;
  max_tentativas: number;
  /** An earlier attempt's outcome was unknown: the message may already have reached the person. */
  talvez_entregue: boolean;
}

interface Outcome {
  disparo_id: string;
  status: 'enviado' | 'pendente' | 'adiado' | 'falhou' | 'bloqueado' | 'incerto' | 'cancelado';
  message_id?: string | null;
  erro?: string | null;
  erro_classe?: string | null;
  motivo?: string | null;
  proxima?: Date | null;
  raw?: unknown;
  /** Handed back without an attempt (its send slot was missed). */
  devolvido?: boolean;
  /** The WhatsApp id the downstream reported (may be the old 8-digit form): kept to match replies. */
  wa_id?: string | null;
  /** When the downstream call was made (enviado_em: the moment the message left, for pacing audits). */
  sent_at?: Date;
  /** This attempt's outcome is unknown (sticky: see talvez_entregue). */
  talvez_entregue?: boolean;
}

// How late after its slot a send may still go. Slots are spaced 3% wider than 1/R, so R+1 slots span
// 1.03 s: sends within 15 ms of their slots keep every 1-second window at or below R, with 15 ms to
// spare for the downstream's own jitter.
const SLOT_TOLERANCE_MS = 15;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Executes the disparos outbox. Any number of executors (threads of one server, or `worker`
 * processes on one PostgreSQL) share it: rows are claimed with FOR UPDATE SKIP LOCKED and a lease,
 * sends are paced by slots reserved in rate_limits, and every outcome is written only while the
 * lease is still ours (fencing). A lease that expires (the worker died mid-call) is retried when the
 * channel honours idempotency keys and becomes `incerto` otherwise — never silently re-sent.
 */
export class Executor {
  private running = false;
  private loop: Promise<void> | null = null;
  /** Batches being sent: the loop reserves the next slots while these are still going out. */
  private readonly inflight = new Set<Promise<void>>();
  /** How long claiming and checking a batch takes (moving average, ms): the lead of the first slot. */
  private prepareMs = 25;
  private lastLeaseCheck = 0;
  /** Tenant policies, re-read every few seconds (a changed send window applies within 5 s). */
  private readonly policies = new Map<string, { at: number; policy: Promise<OutreachPolicy> }>();
  private readonly limit: ReturnType<typeof pLimit>;
  /** Who moves leads and writes audit rows: this executor. */
  private readonly actor: string;
  /** Campaigns whose rows this executor recorded since the last housekeeping round, by tenant. */
  private readonly touchedCampaigns = new Map<string, Set<string>>();

  constructor(private readonly d: ExecutorDeps) {
    this.actor = actorLabel(systemActor(`executor:${d.workerId}`));
    // At least one batch wide: a row never waits in the limiter past its send slot.
    this.limit = pLimit(Math.max(d.concurrency ?? 256, d.batchSize ?? 200));
  }

  private wake: (() => void) | null = null;

  /** Sleeps ms, or less if stop() is called meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    }).finally(() => (this.wake = null));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      let pauseLoggedAt = Number.NEGATIVE_INFINITY;
      while (this.running) {
        let worked = 0;
        try {
          worked = await this.tick();
        } catch (err) {
          if (err instanceof WritesPaused) {
            // The write guard: say so once a minute, not every round.
            if (Date.now() - pauseLoggedAt >= 60_000) {
              pauseLoggedAt = Date.now();
              this.d.logger.warn({ why: err.message }, 'executor paused: the database cannot take writes');
            }
            await this.pause(PAUSED_RETRY_MS);
            continue;
          }
          this.d.logger.error({ err: { message: (err as Error).message } }, 'executor tick failed');
          await sleep(1000);
        }
        if (!worked) await sleep(this.d.idleMs ?? 200);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inflight]);
  }

  /** One round: recover expired leases, then claim and execute what is due. Returns rows handled. */
  async tick(): Promise<number> {
    if (this.d.writeGuard) await this.d.writeGuard().catch((err: unknown) => Promise.reject(new WritesPaused(err)));
    const now = this.d.clock.now();
    // Expired leases are looked for once a second, not on every tick.
    if (now.getTime() - this.lastLeaseCheck >= 1000) {
      this.lastLeaseCheck = now.getTime();
      await this.recoverLeases(now);
      await this.completeTouchedCampaigns();
    }
    // Which tenant × channel have due rows: read only the earliest due rows through the due index, not
    // every pending row (a 100k-row campaign would be scanned on every tick).
    // Across tenants: the system role may read disparos, never write them; claims run per tenant.
    const groups = await withSystem(this.d.db, (tx) =>
      sql<{ tenant_id: string; canal: 'whatsapp' | 'email' }>`
      select distinct tenant_id, canal from (
        select tenant_id, canal from disparos
        where status in ('pendente', 'adiado') and proxima_tentativa_em <= ${now}
        order by proxima_tentativa_em limit 500
      ) due`.execute(tx),
    );
    const handled = await Promise.all(groups.rows.map((g) => this.runGroup(g.tenant_id, g.canal)));
    return handled.reduce((a, b) => a + b, 0);
  }

  private async recoverLeases(now: Date): Promise<void> {
    const idem = { whatsapp: this.d.channel.isIdempotent('whatsapp'), email: this.d.channel.isIdempotent('email') };
    const expired = await withSystem(this.d.db, (tx) =>
      sql<{ tenant_id: string }>`
      select distinct tenant_id from disparos where status = 'em_execucao' and lease_until < ${now}`.execute(tx),
    );
    for (const { tenant_id: tenantId } of expired.rows)
      await withTenant(this.d.db, tenantId, (tx) =>
        sql`
      update disparos set
        status = case when (canal = 'whatsapp' and ${idem.whatsapp}) or (canal = 'email' and ${idem.email}) then 'pendente' else 'incerto' end,
        motivo = case when (canal = 'whatsapp' and ${idem.whatsapp}) or (canal = 'email' and ${idem.email})
                 then 'lease expirado (executor interrompido): reenvio seguro pela chave de idempotência'
                 else 'lease expirado durante o envio: o canal não garante idempotência, o envio pode ou não ter ocorrido' end,
        talvez_entregue = true, -- the executor may have died after the call left
        claimed_by = null, lease_until = null, proxima_tentativa_em = ${now}, updated_at = now()
      where tenant_id = ${tenantId} and status = 'em_execucao' and lease_until < ${now}`.execute(tx),
      );
  }

  /**
   * Campaigns this executor recorded rows of are marked concluido once nothing is left open. Done a
   * round later as well as at once: two executors recording a campaign's last rows at the same time
   * may each still see the other's rows open.
   */
  private async completeTouchedCampaigns(): Promise<void> {
    const touched = [...this.touchedCampaigns];
    this.touchedCampaigns.clear();
    for (const [tenantId, ids] of touched) {
      await withTenant(this.d.db, tenantId, (tx) => completeCampaigns(tx, tenantId, [...ids]));
    }
  }

  private async runGroup(tenantId: string, canal: 'whatsapp' | 'email'): Promise<number> {
    // Back-pressure: at most two batches in flight per executor.
    while (this.inflight.size >= 2) await Promise.race(this.inflight);
    await this.d.channel.ready?.(canal);
    const now = this.d.clock.now();
    const leaseUntil = new Date(now.getTime() + (this.d.leaseMs ?? 60_000));
    const claim = await withTenant(this.d.db, tenantId, async (tx) => {
      const lead = Math.min(1000, Math.max(50, 2 * this.prepareMs));
      const grant = await reserveSlots(tx, tenantId, canal, this.d.batchSize ?? 200, now, 1000, lead);
      if (!grant.granted) return { rows: [] as Claimed[], grant };
      // The rows to claim are picked once, in a materialised CTE: an `IN (subquery … LIMIT n FOR UPDATE
      // SKIP LOCKED)` may be re-run by the planner, each run skipping the rows the previous one locked,
      // and claim more rows than slots were granted (the pace broke this way once row-level security
      // changed the plan: 95–114 sends in a second at 40/s).
      const { rows } = await sql<Claimed>`
        with pick as materialized (
          select disparo_id from disparos
          where tenant_id = ${tenantId} and canal = ${canal} and status in ('pendente', 'adiado') and proxima_tentativa_em <= ${now}
          order by proxima_tentativa_em, disparo_id
          limit ${grant.granted}
          for update skip locked)
        update disparos d set status = 'em_execucao', claimed_by = ${this.d.workerId}, lease_until = ${leaseUntil},
               tentativas = tentativas + 1, updated_at = now()
        from pick where d.disparo_id = pick.disparo_id
        returning d.disparo_id, d.tenant_id, d.lead_id, d.canal, d.destino, d.template, d.conteudo, d.assunto, d.variaveis,
                  d.idempotency_key, d.tentativas, d.max_tentativas, d.talvez_entregue`.execute(tx);
      // Slots reserved but not used (fewer rows than granted) are simply skipped: pace stays ≤ R.
      return { rows, grant };
    });
    this.d.logger.debug(
      {
        granted: claim.grant.granted,
        claimed: claim.rows.length,
        lead_ms: claim.grant.first.getTime() - now.getTime(),
      },
      'slots granted',
    );
    if (!claim.rows.length) return 0;
    // Sent in the background: the next reservation continues the pace where this batch ends.
    const task = this.execute(tenantId, claim.rows, claim.grant.first, claim.grant.intervalMs, now.getTime())
      .then((outcomes) => this.record(tenantId, outcomes))
      .catch((err: Error) =>
        this.d.logger.error({ err: { message: err.message } }, 'batch failed; its leases will expire and be recovered'),
      )
      .finally(() => this.inflight.delete(task));
    this.inflight.add(task);
    return claim.rows.length;
  }

  private async execute(
    tenantId: string,
    rows: Claimed[],
    first: Date,
    intervalMs: number,
    reservedAt: number,
  ): Promise<Outcome[]> {
    const now = this.d.clock.now();
    // Checked again right before the downstream call: opt-out / suppression, lead state, send window.
    const blocked = await this.preSendCheck(tenantId, rows, now);
    this.prepareMs = 0.8 * this.prepareMs + 0.2 * (Date.now() - reservedAt);
    let slot = 0;
    return Promise.all(
      rows.map((r) => {
        const stop = blocked.get(r.disparo_id);
        if (stop) return Promise.resolve(stop);
        const at = first.getTime() + slot++ * intervalMs;
        return (async () => {
          await sleep(at - Date.now());
          return this.limit(async () => {
            // A send that missed its slot (a slow connect, an event-loop stall) is handed back instead of
            // going out late: late sends would bunch up and break the pace. It is re-claimed at once.
            if (intervalMs > 0 && Date.now() - at > SLOT_TOLERANCE_MS) {
              this.d.logger.debug({ late_ms: Date.now() - at }, 'slot missed, handed back');
              return {
                disparo_id: r.disparo_id,
                status: 'pendente' as const,
                motivo: 'horário de envio perdido; reagendado',
                proxima: new Date(),
                devolvido: true,
              };
            }
            const payload = {
              to: r.destino,
              text: r.conteudo,
              subject: r.assunto ?? undefined,
              idempotencyKey: r.idempotency_key,
              template: r.template,
              html: typeof r.variaveis?.__html === 'string' ? r.variaveis.__html : undefined,
              templateParams: Array.isArray(r.variaveis?.__parametros)
                ? (r.variaveis.__parametros as string[])
                : undefined,
            };
            const sentAt = new Date();
            const out = await this.d.channel.send(r.canal, payload, { timeoutMs: this.d.sendTimeoutMs ?? 15_000 });
            return { ...this.classify(r, out), sent_at: sentAt };
          });
        })();
      }),
    );
  }

  private async preSendCheck(tenantId: string, rows: Claimed[], now: Date): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>();
    const { rows: facts } = await withTenant(this.d.db, tenantId, (tx) =>
      sql<{
        disparo_id: string;
        status: LeadStatus;
        timezone: string;
        suprimido: boolean;
        agendamento_status: AgendamentoStatus | null;
      }>`
      select d.disparo_id, l.status, l.timezone, a.status as agendamento_status,
             exists (select 1 from supressoes sp where sp.tenant_id = ${tenantId} and (
               (sp.tipo = 'documento' and l.documento_valido and sp.valor = l.documento)
               or (sp.tipo in ('telefone', 'email') and sp.valor = d.destino))) as suprimido
      from disparos d join leads l on l.lead_id = d.lead_id
      left join agendamentos a on a.agendamento_id = d.agendamento_id
      where d.disparo_id = any(${rows.map((r) => r.disparo_id)}::uuid[])`.execute(tx),
    );
    // A claimed row the check cannot see must not go out unchecked (it would, silently, if the
    // tenant scope were ever wrong): block it instead.
    const seen = new Set(facts.map((f) => f.disparo_id));
    for (const r of rows) {
      if (!seen.has(r.disparo_id))
        out.set(r.disparo_id, {
          disparo_id: r.disparo_id,
          status: 'bloqueado',
          motivo: 'verificação antes do envio não encontrou o disparo',
          erro_classe: 'politica',
        });
    }
    const policy = await this.policyOf(tenantId);
    const windows = new Map<string, ReturnType<typeof checkSendWindow>>();
    for (const f of facts) {
      if (f.status === 'opt_out' || f.suprimido) {
        out.set(f.disparo_id, {
          disparo_id: f.disparo_id,
          status: 'bloqueado',
          motivo: 'opt-out / lista de supressão verificada antes do envio',
          erro_classe: 'politica',
        });
        continue;
      }
      if (f.agendamento_status !== null) {
        // A meeting's confirmation or reminder: goes to a lead in a meeting state, only while the meeting stands.
        if (!AGENDAMENTO_STANDING.includes(f.agendamento_status)) {
          out.set(f.disparo_id, {
            disparo_id: f.disparo_id,
            status: 'cancelado',
            motivo: `reunião ${f.agendamento_status} antes do envio`,
            erro_classe: 'politica',
          });
          continue;
        }
        if (f.status === 'perdido') {
          out.set(f.disparo_id, {
            disparo_id: f.disparo_id,
            status: 'bloqueado',
            motivo: 'lead perdido antes do envio',
            erro_classe: 'politica',
          });
          continue;
        }
      } else if (!OUTREACH_SENDABLE.includes(f.status)) {
        out.set(f.disparo_id, {
          disparo_id: f.disparo_id,
          status: 'bloqueado',
          motivo: `estado do lead mudou para ${f.status} antes do envio`,
          erro_classe: 'politica',
        });
        continue;
      }
      if (!windows.has(f.timezone)) windows.set(f.timezone, checkSendWindow(now, f.timezone, policy.janela));
      const w = windows.get(f.timezone)!;
      if (!w.inside)
        out.set(f.disparo_id, { disparo_id: f.disparo_id, status: 'adiado', motivo: w.motivo, proxima: w.next });
    }
    return out;
  }

  private policyOf(tenantId: string): Promise<OutreachPolicy> {
    const cached = this.policies.get(tenantId);
    if (cached && Date.now() - cached.at < 5000) return cached.policy;
    const policy = withTenant(this.d.db, tenantId, async (tx) => {
      const t = await tx
        .selectFrom('tenants')
        .select(['tenant_id', 'nome'])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return loadPolicy(tx, t);
    });
    this.policies.set(tenantId, { at: Date.now(), policy });
    policy.catch(() => this.policies.delete(tenantId));
    return policy;
  }

  private classify(r: Claimed, o: SendOutcome): Outcome {
    if (o.ok)
      return {
        disparo_id: r.disparo_id,
        status: 'enviado',
        message_id: o.messageId,
        wa_id: o.waId ?? null,
        raw: o.raw,
      };
    const base = { disparo_id: r.disparo_id, erro: o.error.slice(0, 1000), erro_classe: o.errorClass, raw: o.raw };
    // The refusal's finer reason and provider code, when the channel read one (e.g. " (bad_destination 21211)").
    const why = o.reason ? ` (${o.reason}${o.providerCode ? ` ${o.providerCode}` : ''})` : '';
    if (o.errorClass === 'transitorio') {
      if (r.tentativas >= r.max_tentativas) {
        // An earlier attempt may have delivered it: 'falhou' would say it did not leave and invite a re-send.
        if (r.talvez_entregue) {
          return {
            ...base,
            status: 'incerto',
            motivo: `resultado de uma tentativa anterior desconhecido e as seguintes falharam (${r.tentativas} tentativas): a mensagem pode ter sido entregue; verifique antes de reenviar`,
          };
        }
        return { ...base, status: 'falhou', motivo: `falhou após ${r.tentativas} tentativas` };
      }
      return {
        ...base,
        status: 'pendente',
        proxima: new Date(Date.now() + backoffMs(r.tentativas)),
        motivo: `erro transitório${why}: nova tentativa agendada`,
      };
    }
    if (o.errorClass === 'desconhecido') {
      // Timeout or crash mid-call: the message may have left. Safe to retry only with idempotency.
      if (this.d.channel.isIdempotent(r.canal) && r.tentativas < r.max_tentativas) {
        return {
          ...base,
          talvez_entregue: true,
          status: 'pendente',
          proxima: new Date(Date.now() + backoffMs(r.tentativas)),
          motivo: 'resultado desconhecido: reenvio seguro pela chave de idempotência',
        };
      }
      return {
        ...base,
        talvez_entregue: true,
        status: 'incerto',
        motivo: this.d.channel.isIdempotent(r.canal)
          ? `resultado desconhecido na última de ${r.tentativas} tentativas: verifique antes de reenviar`
          : 'resultado desconhecido e o canal não garante idempotência: verifique antes de reenviar',
      };
    }
    if (o.errorClass === 'destino_invalido')
      return { ...base, status: 'falhou', motivo: `destino inválido (falha permanente)${why}` };
    return { ...base, status: 'bloqueado', motivo: `recusado por política do canal${why}` };
  }

  /** Writes outcomes (only for rows still leased to us), moves leads, and falls back on bad destinations. */
  private async record(tenantId: string, outcomes: Outcome[]): Promise<void> {
    await withTenant(this.d.db, tenantId, async (tx) => {
      const done = await sql<{
        disparo_id: string;
        lead_id: string;
        canal: string;
        destino: string;
        status: string;
        erro_classe: string | null;
        idempotency_key: string;
        campanha_id: string | null;
      }>`
        update disparos d set
          status = o.status, message_id_externo = o.message_id,
          tentativas = case when o.devolvido then d.tentativas - 1 else d.tentativas end, erro = o.erro, erro_classe = o.erro_classe,
          motivo = coalesce(o.motivo, d.motivo), resposta_bruta = o.raw::jsonb,
          proxima_tentativa_em = coalesce(o.proxima, d.proxima_tentativa_em),
          enviado_em = case when o.status = 'enviado' then coalesce(o.sent_at, now()) else d.enviado_em end,
          talvez_entregue = d.talvez_entregue or coalesce(o.talvez_entregue, false),
          claimed_by = null, lease_until = null, updated_at = now()
        from jsonb_to_recordset(${JSON.stringify(outcomes.map((o) => ({ ...o, raw: o.raw === undefined ? null : JSON.stringify(o.raw) })))}::jsonb)
          as o(disparo_id uuid, status text, message_id text, erro text, erro_classe text, motivo text, proxima timestamptz, raw text, devolvido boolean, sent_at timestamptz, talvez_entregue boolean)
        where d.disparo_id = o.disparo_id and d.status = 'em_execucao' and d.claimed_by = ${this.d.workerId}
        returning d.disparo_id, d.lead_id, d.canal, d.destino, d.status, d.erro_classe, d.idempotency_key, d.campanha_id`.execute(
        tx,
      );
      const campaigns = [...new Set(done.rows.map((r) => r.campanha_id).filter((c): c is string => !!c))];
      if (campaigns.length) {
        const set = this.touchedCampaigns.get(tenantId) ?? new Set<string>();
        for (const c of campaigns) set.add(c);
        this.touchedCampaigns.set(tenantId, set);
      }
      const sent = done.rows.filter((r) => r.status === 'enviado');
      const waIds = outcomes.filter((o) => o.status === 'enviado' && o.wa_id);
      if (waIds.length) {
        await sql`
          update lead_telefones lt set wa_id = o.wa_id, updated_at = now()
          from disparos d, jsonb_to_recordset(${JSON.stringify(waIds.map((o) => ({ disparo_id: o.disparo_id, wa_id: o.wa_id })))}::jsonb) as o(disparo_id uuid, wa_id text)
          where d.disparo_id = o.disparo_id and lt.tenant_id = ${tenantId} and lt.lead_id = d.lead_id and lt.numero_e164 = d.destino`.execute(
          tx,
        );
      }
      // A message reached the lead: wherever outreach had it (queued, failed, without a channel), it
      // was contacted. Leads in a conversation or a meeting stay where they are.
      await transitionLeads(
        tx,
        tenantId,
        sent.map((r) => r.lead_id),
        'contatado',
        { reason: 'mensagem enviada', actor: this.actor, from: CONTACTED_FROM },
      );
      const bad = done.rows.filter((r) => r.status === 'falhou' && r.erro_classe === 'destino_invalido');
      for (const b of bad) await invalidateAndFallBack(tx, tenantId, b, this.actor);
      const failed = done.rows.filter((r) => r.status === 'falhou' && r.erro_classe !== 'destino_invalido');
      await transitionLeads(
        tx,
        tenantId,
        failed.map((r) => r.lead_id),
        'erro',
        { reason: 'envio falhou', actor: this.actor, from: ['em_disparo'] },
      );
    });
  }
}

/** Where a lead may be when one of its outreach messages is delivered: it becomes contatado. */
const CONTACTED_FROM = OUTREACH_SENDABLE.filter((s) => s !== 'contatado');

export function backoffMs(attempt: number): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + Math.random()));
}

/**
 * A destination the channel refused permanently: mark that phone / e-mail invalid, and when the lead
 * still has a valid e-mail, enqueue the e-mail version of the message (WhatsApp → e-mail fallback).
 */
async function invalidateAndFallBack(
  tx: Tx,
  tenantId: string,
  r: { disparo_id: string; lead_id: string; canal: string; destino: string; idempotency_key: string },
  ator: string,
) {
  if (r.canal === 'whatsapp') {
    await sql`update lead_telefones set valido_para_disparo = false, motivo_invalido = 'WhatsApp recusou o número (falha permanente no envio)', updated_at = now()
              where tenant_id = ${tenantId} and lead_id = ${r.lead_id} and numero_e164 = ${r.destino}`.execute(tx);
  } else {
    await sql`update lead_emails set valido_para_disparo = false, motivo_invalido = 'e-mail recusado pelo servidor (falha permanente)', updated_at = now()
              where tenant_id = ${tenantId} and lead_id = ${r.lead_id} and email_normalizado = ${r.destino}`.execute(
      tx,
    );
  }
  const fallback =
    r.canal === 'whatsapp'
      ? await sql<{
          email: string;
        }>`select email_normalizado as email from lead_emails where tenant_id = ${tenantId} and lead_id = ${r.lead_id} and valido_para_disparo order by created_at, posicao limit 1`.execute(
          tx,
        )
      : { rows: [] };
  if (fallback.rows.length) {
    await renderFallbackEmail(tx, tenantId, r, fallback.rows[0].email, ator);
  } else {
    // No channel left to reach a lead being contacted. A lead contacted before keeps contatado: it was
    // reached, and may still reply.
    await transitionLeads(tx, tenantId, [r.lead_id], 'sem_canal', {
      reason: `destino ${r.canal} inválido e nenhum outro canal válido`,
      actor: ator,
      from: ['em_disparo', 'novo'],
    });
  }
}
