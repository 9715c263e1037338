import { describe, expect, it } from 'vitest';
import { buildBriefing, type BriefingInput, type BriefingLead } from '../../src/core/briefing/build.js';
import { briefingMarkdown } from '../../src/core/briefing/markdown.js';

const lead = (o: Partial<BriefingLead> = {}): BriefingLead => ({
  lead_id: 'l1',
  name: 'Oficina do Zé',
  contact_name: null,
  document: null,
  document_type: null,
  document_valid: false,
  status: 'respondeu',
  timezone: 'America/Rio_Branco',
  legal_basis: 'legitimo_interesse',
  extra: {},
  whatsapp: null,
  email: null,
  phones: [],
  emails: [],
  history: [],
  ...o,
});
const input = (o: Partial<BriefingInput> = {}): BriefingInput => ({
  lead: lead(),
  disparos: [],
  replies: [],
  meetings: [],
  now: new Date('2026-12-01T12:00:00Z'),
  ...o,
});
const meeting = (o: Partial<BriefingInput['meetings'][number]> = {}): BriefingInput['meetings'][number] => ({
  agendamento_id: 'a1',
  inicio: new Date('2026-12-02T15:00:00Z'),
  fim: new Date('2026-12-02T15:30:00Z'),
  timezone: 'America/Rio_Branco',
  titulo: 'Conversa',
  local: null,
  status: 'agendado',
  erro: null,
  created_at: new Date('2026-11-30T10:00:00Z'),
  ...o,
});

describe('buildBriefing', () => {
  it('without document or channel asks to confirm both; without extras suggests discovering the need', () => {
    const b = buildBriefing(input());
    expect(b.open_points).toEqual([
      'Sem CNPJ/CPF na planilha: confirmar o documento na conversa.',
      'Nenhum canal válido (sem celular com WhatsApp nem e-mail válido): pedir um contato atualizado.',
    ]);
    expect(b.suggested_agenda[1]).toBe('Entender a necessidade do lead e apresentar a proposta.');
    expect(b.agendamento).toBeNull();
  });

  it('a cancelled meeting is not picked as the next one; a past one asked for by id says to record the outcome', () => {
    const cancelled = meeting({ status: 'cancelado' });
    expect(buildBriefing(input({ meetings: [cancelled] })).agendamento).toBeNull();
    const past = meeting({
      agendamento_id: 'a2',
      inicio: new Date('2026-12-01T10:00:00Z'),
      fim: new Date('2026-12-01T10:30:00Z'),
      status: 'confirmado',
    });
    const b = buildBriefing(input({ meetings: [past], agendamentoId: 'a2' }));
    expect(b.agendamento?.status).toBe('confirmado');
    expect(b.open_points).toContain(
      'A reunião já começou ou passou: registrar se foi realizada ou se o lead não compareceu.',
    );
  });

  it('a calendar failure of another meeting is an open point with its error', () => {
    const failed = meeting({ agendamento_id: 'a3', status: 'falhou', erro: 'calendar: 503 Service Unavailable' });
    const b = buildBriefing(input({ meetings: [failed, meeting()] }));
    expect(b.agendamento?.agendamento_id).toBe('a1');
    expect(b.open_points.join('\n')).toContain('falhou no calendário: calendar: 503 Service Unavailable');
  });

  it('keeps the newest 50 timeline events, oldest first', () => {
    const history = Array.from({ length: 80 }, (_, i) => ({
      type: 'nota',
      from_status: null,
      to_status: null,
      reason: `nota ${i}`,
      at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
    }));
    const b = buildBriefing(input({ lead: lead({ history }) }));
    expect(b.timeline).toHaveLength(50);
    expect(b.timeline[0]!.summary).toBe('nota 30');
    expect(b.timeline[49]!.summary).toBe('nota 79');
  });

  it('labels local times in the meeting zone (Rio Branco UTC-5, Noronha UTC-2)', () => {
    const at = (timezone: string) => buildBriefing(input({ meetings: [meeting({ timezone })] })).agendamento?.label;
    expect(at('America/Rio_Branco')).toBe('quarta-feira, 02/12/2026 às 10:00 (horário do Acre)');
    expect(at('America/Noronha')).toBe('quarta-feira, 02/12/2026 às 13:00 (horário de Fernando de Noronha)');
  });

  it('markdown numbers the agenda and never prints "undefined"', () => {
    const md = briefingMarkdown(buildBriefing(input({ meetings: [meeting()] })));
    expect(md).toMatch(/## Pauta sugerida\n1\. /);
    expect(md).not.toContain('undefined');
  });
});

describe('buildBriefing — questions', () => {
  const q = {
    canal: 'whatsapp' as const,
    texto: 'Podemos conversar essa semana?',
    classe: 'interesse',
    recebida_em: new Date('2026-11-30T10:00:00Z'),
  };
  it('a question with nothing after it is open; a meeting booked after it answers it', () => {
    expect(buildBriefing(input({ replies: [q] })).open_points.join('\n')).toContain(
      'Pergunta do lead ainda sem resposta',
    );
    const booked = meeting({ created_at: new Date('2026-11-30T11:00:00Z') });
    expect(buildBriefing(input({ replies: [q], meetings: [booked] })).open_points.join('\n')).not.toContain(
      'Pergunta do lead',
    );
  });
});
