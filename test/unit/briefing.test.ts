import { describe, expect, it } from 'vitest';
import { buildBriefing, briefingMarkdown, type BriefingInput } from '../../src/core/briefing/build.js';
import type { LeadDetail } from '../../src/core/leads/query.js';

const lead = (o: Partial<LeadDetail> = {}): LeadDetail => ({
  lead_id: 'l1',
  nome: 'Oficina do Zé',
  contato_nome: null,
  documento: null,
  documento_tipo: null,
  documento_valido: false,
  status: 'respondeu',
  timezone: 'America/Rio_Branco',
  whatsapp: null,
  email: null,
  created_at: '2026-11-01T00:00:00Z',
  base_legal: 'legitimo_interesse',
  lead_id_externo: null,
  dados_extras: {},
  origem: [],
  telefones: [],
  emails: [],
  historico: [],
  reunioes: [],
  ...o,
});
const input = (o: Partial<BriefingInput> = {}): BriefingInput => ({
  lead: lead(),
  disparos: [],
  respostas: [],
  reunioes: [],
  now: new Date('2026-12-01T12:00:00Z'),
  ...o,
});
const meeting = (o: Partial<BriefingInput['reunioes'][number]> = {}) => ({
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
    expect(b.pontos_em_aberto).toEqual([
      'Sem CNPJ/CPF na planilha: confirmar o documento na conversa.',
      'Nenhum canal válido (sem celular com WhatsApp nem e-mail válido): pedir um contato atualizado.',
    ]);
    expect(b.pauta_sugerida[1]).toBe('Entender a necessidade do lead e apresentar a proposta.');
    expect(b.reuniao).toBeNull();
  });

  it('a cancelled meeting is not picked as the next one; a past one asked for by id says to record the outcome', () => {
    const cancelled = meeting({ status: 'cancelado' });
    expect(buildBriefing(input({ reunioes: [cancelled] })).reuniao).toBeNull();
    const past = meeting({
      agendamento_id: 'a2',
      inicio: new Date('2026-12-01T10:00:00Z'),
      fim: new Date('2026-12-01T10:30:00Z'),
      status: 'confirmado',
    });
    const b = buildBriefing(input({ reunioes: [past], agendamentoId: 'a2' }));
    expect(b.reuniao?.status).toBe('confirmado');
    expect(b.pontos_em_aberto).toContain(
      'A reunião já começou ou passou: registrar se foi realizada ou se o lead não compareceu.',
    );
  });

  it('a calendar failure of another meeting is an open point with its error', () => {
    const failed = meeting({ agendamento_id: 'a3', status: 'falhou', erro: 'calendar: 503 Service Unavailable' });
    const b = buildBriefing(input({ reunioes: [failed, meeting()] }));
    expect(b.reuniao?.agendamento_id).toBe('a1');
    expect(b.pontos_em_aberto.join('\n')).toContain('falhou no calendário: calendar: 503 Service Unavailable');
  });

  it('keeps the newest 50 timeline events, oldest first', () => {
    const historico = Array.from({ length: 80 }, (_, i) => ({
      tipo: 'nota',
      status_de: null,
      status_para: null,
      motivo: `nota ${i}`,
      ator: 't',
      em: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
    }));
    const b = buildBriefing(input({ lead: lead({ historico }) }));
    expect(b.linha_do_tempo).toHaveLength(50);
    expect(b.linha_do_tempo[0]!.resumo).toBe('nota 30');
    expect(b.linha_do_tempo[49]!.resumo).toBe('nota 79');
  });

  it('labels local times in the meeting zone (Rio Branco UTC-5, Noronha UTC-2)', () => {
    const at = (timezone: string) => buildBriefing(input({ reunioes: [meeting({ timezone })] })).reuniao?.inicio_local;
    expect(at('America/Rio_Branco')).toBe('quarta-feira, 02/12/2026 às 10:00 (horário do Acre)');
    expect(at('America/Noronha')).toBe('quarta-feira, 02/12/2026 às 13:00 (horário de Fernando de Noronha)');
  });

  it('markdown numbers the agenda and never prints "undefined"', () => {
    const md = briefingMarkdown(buildBriefing(input({ reunioes: [meeting()] })));
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
    expect(buildBriefing(input({ respostas: [q] })).pontos_em_aberto.join('\n')).toContain(
      'Pergunta do lead ainda sem resposta',
    );
    const booked = meeting({ created_at: new Date('2026-11-30T11:00:00Z') });
    expect(buildBriefing(input({ respostas: [q], reunioes: [booked] })).pontos_em_aberto.join('\n')).not.toContain(
      'Pergunta do lead',
    );
  });
});
