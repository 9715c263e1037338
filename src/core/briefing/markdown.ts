/** The briefing as markdown (pt-BR), for a person to read before the call. */
import type { Briefing } from './generate-briefing.js';
import { LEGAL_BASIS_PT, MEETING_STATUS_PT } from './words.js';

export function briefingMarkdown(b: Briefing): string {
  const l = b.lead;
  const out: string[] = [`# Briefing — ${l.company}`, ''];
  const m = b.agendamento;
  if (m) {
    const where = m.location ? ` — ${m.location}` : '';
    out.push(`**Reunião:** ${m.title} — ${m.label}${where} (${MEETING_STATUS_PT[m.status] ?? m.status})`, '');
  }
  const doc = l.document
    ? `${l.document} (${l.document_type?.toUpperCase() ?? '?'}${l.document_valid ? '' : ', inválido'})`
    : '—';
  out.push('## Empresa e contato', `- Empresa: ${l.company}`, `- Contato: ${l.contact ?? '—'}`);
  out.push(`- Documento: ${doc}`);
  out.push(`- Situação: ${l.status} · fuso ${l.timezone}`);
  out.push(`- Base legal: ${LEGAL_BASIS_PT[l.legal_basis] ?? l.legal_basis}`);
  const extras = Object.entries(l.sheet_data);
  if (extras.length) out.push(`- Dados da planilha: ${extras.map(([k, v]) => `${k}: ${String(v)}`).join('; ')}`);
  out.push('', '## Canais', `- WhatsApp: ${b.channels.whatsapp ?? '—'}`, `- E-mail: ${b.channels.email ?? '—'}`);
  for (const t of b.channels.phones.filter((x) => !x.sendable))
    out.push(`- Telefone ${t.number} (${t.type}): ${t.invalid_reason ?? 'não usado para WhatsApp'}`);
  for (const e of b.channels.emails.filter((x) => !x.sendable))
    out.push(`- E-mail ${e.email}: ${e.invalid_reason ?? 'inválido'}`);
  out.push('', '## Linha do tempo');
  if (!b.timeline.length) out.push('- (sem eventos)');
  for (const i of b.timeline) out.push(`- ${i.at.slice(0, 16).replace('T', ' ')} UTC — ${i.summary}`);
  out.push('', '## Pontos em aberto');
  if (!b.open_points.length) out.push('- Nenhum.');
  for (const p of b.open_points) out.push(`- ${p}`);
  out.push('', '## Pauta sugerida');
  b.suggested_agenda.forEach((p, i) => out.push(`${i + 1}. ${p}`));
  return out.join('\n') + '\n';
}
