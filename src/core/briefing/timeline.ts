/** The briefing's timeline: the lead's history, messages, replies and meetings, oldest first. */
import type { BriefingInput } from './build.js';
import type { Briefing } from './generate-briefing.js';
import { channelPt, clip, meetingTime, MEETING_STATUS_PT, REPLY_CLASS_PT, TEXT_MAX } from './words.js';

type TimelineItem = Briefing['timeline'][number];
type TimelineKind = TimelineItem['type'];

/** The newest events matter most before a meeting: at most this many, the newest. */
const TIMELINE_MAX = 50;

export function buildTimeline(input: BriefingInput): TimelineItem[] {
  const items: Array<TimelineItem & { t: number }> = [];
  const push = (at: Date | string, type: TimelineKind, summary: string) => {
    const d = at instanceof Date ? at : new Date(at);
    items.push({ t: d.getTime(), at: d.toISOString(), type, summary });
  };
  for (const h of input.lead.history) {
    const type: TimelineKind =
      h.type === 'importacao' || h.type === 'mesclagem' || h.type === 'nota' ? h.type : 'transicao';
    const move = type === 'transicao' && h.to_status ? `status ${h.from_status ?? '—'} → ${h.to_status}: ` : '';
    const summary = `${move}${h.reason}`;
    push(h.at, type, summary);
  }
  for (const d of input.disparos) {
    const detail =
      d.status === 'enviado'
        ? 'enviada'
        : `${d.status}${d.motivo || d.erro ? ` (${clip(d.motivo ?? d.erro ?? '', 80)})` : ''}`;
    push(d.enviado_em ?? d.updated_at, 'disparo', `mensagem ${d.template} por ${channelPt(d.canal)}: ${detail}`);
  }
  for (const r of input.replies) {
    const what = REPLY_CLASS_PT[r.classe] ?? 'respondeu';
    push(r.recebida_em, 'resposta', `lead ${what} por ${channelPt(r.canal)}: «${clip(r.texto, TEXT_MAX)}»`);
  }
  for (const m of input.meetings) {
    const status = MEETING_STATUS_PT[m.status] ?? m.status;
    push(m.created_at, 'reuniao', `reunião "${m.titulo}" para ${meetingTime(m.inicio, m.timezone)} — ${status}`);
  }
  items.sort((a, b) => a.t - b.t);
  return items.slice(-TIMELINE_MAX).map(({ t: _t, ...rest }) => rest);
}
