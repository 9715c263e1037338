import { describe, expect, it } from 'vitest';
import {
  BUILTIN_TEMPLATES,
  DEFAULT_TEMPLATE_BY_CHANNEL,
  getBuiltinTemplate,
  leadVariables,
  listBuiltinTemplates,
  OPT_OUT_TEXT,
  renderTemplate,
  templateVariables,
  toNumberedBody,
  validateTemplate,
} from '../../src/core/templates/index.js';

const LEAD = {
  nome: 'Padaria Pão Quente Ltda',
  contato_nome: 'MARIA DA SILVA',
  documento: '11222333000181',
  documento_tipo: 'cnpj' as const,
};
const MEETING = {
  data_reuniao: 'terça-feira, 10/03/2026',
  hora_reuniao: '14:00',
  fuso: 'horário de Brasília',
  link_ou_local: 'https://meet.example.com/abc',
};
const VARS = { ...leadVariables(LEAD, 'Cobra Fácil'), ...MEETING };

const COBRANCA_VARS = ['contato', 'empresa', 'documento_mascarado', 'remetente'];
const REUNIAO_VARS = ['contato', 'empresa', 'remetente', 'data_reuniao', 'hora_reuniao', 'fuso', 'link_ou_local'];

describe('built-in templates', () => {
  it('has the seed templates and the meeting templates', () => {
    expect([...BUILTIN_TEMPLATES.keys()].sort()).toEqual([
      'cobranca_padrao_email_v1',
      'cobranca_padrao_whatsapp_v1',
      'confirmacao_reuniao_email_v1',
      'confirmacao_reuniao_whatsapp_v1',
      'lembrete_reuniao_email_v1',
      'lembrete_reuniao_whatsapp_v1',
    ]);
    expect(DEFAULT_TEMPLATE_BY_CHANNEL).toEqual({
      whatsapp: 'cobranca_padrao_whatsapp_v1',
      email: 'cobranca_padrao_email_v1',
    });
    expect(getBuiltinTemplate('nao_existe_v1')).toBeUndefined();
    expect(listBuiltinTemplates('whatsapp').every((t) => t.canal === 'whatsapp')).toBe(true);
    expect(listBuiltinTemplates()).toHaveLength(6);
  });

  describe.each(listBuiltinTemplates().map((t) => [t.id, t] as const))('%s', (id, def) => {
    it('validates clean', () => {
      expect(validateTemplate(def)).toEqual([]);
    });

    it('uses only the documented variables', () => {
      expect(templateVariables(def).sort()).toEqual(
        (id.startsWith('cobranca') ? COBRANCA_VARS : REUNIAO_VARS).slice().sort(),
      );
    });

    it('renders with a sample lead, leaving no tag behind', () => {
      const r = renderTemplate(def, VARS);
      if (!r.ok) throw new Error(r.motivo);
      for (const text of [r.texto, r.assunto, r.html]) if (text !== undefined) expect(text).not.toMatch(/\{\{|\}\}/);
      for (const text of [r.texto, r.html]) {
        if (text === undefined) continue;
        expect(text).toContain('Maria');
        expect(text).toContain('Cobra Fácil');
      }
      if (def.canal === 'email') expect(r.assunto).toMatch(/Padaria Pão Quente Ltda|Cobra Fácil/);
    });

    it('ends with the opt-out instruction', () => {
      expect(def.corpo.endsWith(OPT_OUT_TEXT)).toBe(true);
      if (def.html) expect(def.html).toContain(OPT_OUT_TEXT);
    });

    it('fits its channel', () => {
      if (def.canal === 'whatsapp') {
        expect(def.html).toBeUndefined();
        expect(def.assunto).toBeUndefined();
        expect(def.corpo).not.toMatch(/<[a-z]/i);
        expect(def.whatsapp).toMatchObject({ nome_aprovado: id, idioma: 'pt_BR' });
      } else {
        expect(def.assunto).toBeTruthy();
        expect(def.html).toMatch(/^<!DOCTYPE html>/);
        expect(def.whatsapp).toBeUndefined();
      }
    });
  });

  it('the collections first contact has no links and no amounts', () => {
    for (const id of Object.values(DEFAULT_TEMPLATE_BY_CHANNEL)) {
      const r = renderTemplate(getBuiltinTemplate(id)!, VARS);
      if (!r.ok) throw new Error(r.motivo);
      expect(r.texto).not.toMatch(/https?:|www\.|R\$/);
      expect(r.texto).toContain('11.222.***/****-81');
      expect(r.texto).not.toContain('11222333000181');
    }
  });

  it('renders the WhatsApp first contact exactly', () => {
    const r = renderTemplate(getBuiltinTemplate('cobranca_padrao_whatsapp_v1')!, VARS);
    expect(r).toEqual({
      ok: true,
      texto:
        'Olá, Maria! Tudo bem?\n\n' +
        'Aqui é a equipe de Cobra Fácil. Estamos entrando em contato a respeito de uma pendência em nome de Padaria Pão Quente Ltda (documento 11.222.***/****-81) e gostaríamos de apresentar as condições de negociação disponíveis.\n\n' +
        'Podemos conversar por aqui? Se preferir, é só dizer o melhor dia e horário para falarmos.\n\n' +
        'Se não quiser mais receber mensagens, responda SAIR.',
      parametros: ['Maria', 'Cobra Fácil', 'Padaria Pão Quente Ltda', '11.222.***/****-81'],
    });
  });

  it('numbers the WhatsApp first contact in parametros order', () => {
    expect(toNumberedBody(getBuiltinTemplate('cobranca_padrao_whatsapp_v1')!)).toBe(
      'Olá, {{1}}! Tudo bem?\n\n' +
        'Aqui é a equipe de {{2}}. Estamos entrando em contato a respeito de uma pendência em nome de {{3}} (documento {{4}}) e gostaríamos de apresentar as condições de negociação disponíveis.\n\n' +
        'Podemos conversar por aqui? Se preferir, é só dizer o melhor dia e horário para falarmos.\n\n' +
        'Se não quiser mais receber mensagens, responda SAIR.',
    );
  });

  it('the numbered body filled with parametros equals the rendered text', () => {
    for (const def of listBuiltinTemplates('whatsapp')) {
      const r = renderTemplate(def, VARS);
      if (!r.ok) throw new Error(r.motivo);
      const filled = toNumberedBody(def).replace(/\{\{(\d+)\}\}/g, (_, n: string) => r.parametros![Number(n) - 1]);
      expect(filled).toBe(r.texto);
    }
  });

  it('is frozen, so no caller can edit a shared template', () => {
    const def = getBuiltinTemplate('cobranca_padrao_whatsapp_v1')!;
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.whatsapp!.parametros)).toBe(true);
  });
});
