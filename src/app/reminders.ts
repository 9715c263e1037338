import { sql } from 'kysely';
import { toZonedIso } from '../core/meetings/index.js';
import { loadPolicy } from '../core/outreach/policy.js';
import { checkSendWindow } from '../core/policy/index.js';
import { withTenant } from '../db/tenant.js';
import type { ServerDeps } from '../deps.js';
import { queueMeetingMessage, type MeetingMessage } from './meeting-messages.js';

export interface ReminderItem {
  agendamento_id: string;
  lead_id: string;
  inicio_local: string;
  /** lembrete (queued or dry run; see mensagem) | adiado (outside the lead's send window; a later run sends it) | sem_horario (the window opens only after the meeting starts) | ja_enviado (another run claimed it first) */
  resultado: 'lembrete' | 'adiado' | 'sem_horario' | 'ja_enviado';
  motivo: string | null;
  previsto_para: string | null;
  mensagem: MeetingMessage | null;
}

export interface RemindersResult {
  modo: 'real' | 'dry_run';
  janela_horas: number;
  encontrados: number;
  lembretes: number;
  adiados: number;
  itens: ReminderItem[];
}

/**
 * One reminder per meeting starting within the next `windowHours`: each meeting is claimed with a
 * conditional UPDATE of lembrete_enviado_em (null → now) in the same transaction that queues the
 * message, so concurrent runs (cron every minute) never remind twice. Outside the lead's send window
 * nothing is claimed: a later run picks it up. With sending off it is a dry run and nothing is claimed.
 */
export async function sendReminders(
  deps: ServerDeps,
  opts: { windowHours: number; limit: number },
): Promise<RemindersResult> {
  const t = deps.tenant.tenant_id;
  const now = deps.clock.now();
  const until = new Date(now.getTime() + opts.windowHours * 3_600_000);
  const real = deps.config.dispatchEnabled;
  const { due, policy } = await withTenant(deps.db.kysely, t, async (tx) => ({
    policy: await loadPolicy(tx, deps.tenant),
    due: await tx
      .selectFrom('agendamentos')
      .selectAll()
      .where('tenant_id', '=', t)
      .where('status', 'in', ['agendado', 'confirmado'])
      .where('lembrete_enviado_em', 'is', null)
      .where('inicio', '>', now)
      .where('inicio', '<=', until)
      .orderBy('inicio')
      .limit(opts.limit)
      .execute(),
  }));
  const itens: ReminderItem[] = [];
  for (const a of due) {
    const inicio = new Date(a.inicio);
    const base = { agendamento_id: a.agendamento_id, lead_id: a.lead_id, inicio_local: toZonedIso(inicio, a.timezone) };
    const w = checkSendWindow(now, a.timezone, policy.janela);
    if (!w.inside) {
      const late = !w.next || w.next.getTime() >= inicio.getTime();
      itens.push({
        ...base,
        resultado: late ? 'sem_horario' : 'adiado',
        motivo: late ? `${w.motivo}; a janela só abre depois do início da reunião` : w.motivo,
        previsto_para: w.next?.toISOString() ?? null,
        mensagem: null,
      });
      continue;
    }
    const item = await withTenant(deps.db.kysely, t, async (tx): Promise<ReminderItem> => {
      if (real) {
        const claimed = await sql<{ agendamento_id: string }>`
          update agendamentos set lembrete_enviado_em = ${now}, updated_at = now()
          where agendamento_id = ${a.agendamento_id} and lembrete_enviado_em is null and status in ('agendado', 'confirmado')
          returning agendamento_id`.execute(tx);
        if (!claimed.rows.length)
          return {
            ...base,
            resultado: 'ja_enviado',
            motivo: 'outra execução já enviou este lembrete',
            previsto_para: null,
            mensagem: null,
          };
      }
      const mensagem = await queueMeetingMessage(tx, deps, { ...a, inicio }, 'lembrete', policy);
      return { ...base, resultado: 'lembrete', motivo: null, previsto_para: null, mensagem };
    });
    itens.push(item);
  }
  return {
    modo: real ? 'real' : 'dry_run',
    janela_horas: opts.windowHours,
    encontrados: due.length,
    lembretes: itens.filter((i) => i.resultado === 'lembrete').length,
    adiados: itens.filter((i) => i.resultado === 'adiado').length,
    itens,
  };
}
