import { describe, expect, it } from 'vitest';
import {
  BUILTIN_TEMPLATES,
  DEFAULT_TEMPLATE_BY_CHANNEL,
  getBuiltinTemplate,
  isCollectionTemplate,
  leadVariables,
  listBuiltinTemplates,
  OPT_OUT_TEXT,
  renderTemplate,
  TEMPLATE_VARIABLES,
  templateVariables,
  toNumberedBody,
  validateTemplate,
} from '../../src/core/templates/index.js';

const LEAD = {
  nome: 'Padaria Pão Quente Ltda',
  contato_nome: 'MARIA DA SILVA',
  documento: '11222333000181',
  documento_tipo: 'cnpj' as const,
  divida_centavos: 123456,
  divida_vencimento: '2026-03-05',
  divida_contratos: 'CT-1',
};
const CREDOR = {
  razao_social: 'Cobra Fácil Recuperadora Ltda',
  cnpj: '45723174000110',
  endereco: 'Rua Augusta, 500, São Paulo/SP',
  contato: '(11) 4000-2000',
};
const MEETING = {
  data_reuniao: 'terça-feira, 10/03/2026',
  hora_reuniao: '14:00',
  fuso: 'horário de Brasília',
  link_ou_local: 'https://meet.example.com/abc',
};
const VARS = { ...leadVariables(LEAD, 'Cobra Fácil', CREDOR), ...MEETING };

const COBRANCA_VARS = [
  'contato',
  'empresa',
  'documento_mascarado',
  'remetente',
  'credor',
  'credor_cnpj',
  'credor_endereco',
  'credor_contato',
  'valor_divida',
  'vencimento_divida',
];
const CONTATO_VARS = ['contato', 'remetente', 'empresa'];
const REUNIAO_VARS = ['contato', 'empresa', 'remetente', 'data_reuniao', 'hora_reuniao', 'fuso', 'link_ou_local'];

describe('built-in templates', () => {
  it('has the seed templates and the meeting templates', () => {
    expect([...BUILTIN_TEMPLATES.keys()].sort()).toEqual([
      'cobranca_padrao_email_v2',
      'cobranca_padrao_whatsapp_v2',
      'confirmacao_reuniao_email_v1',
      'confirmacao_reuniao_whatsapp_v1',
      'contato_comercial_email_v1',
      'contato_comercial_whatsapp_v1',
      'lembrete_reuniao_email_v1',
      'lembrete_reuniao_whatsapp_v1',
    ]);
    expect(DEFAULT_TEMPLATE_BY_CHANNEL).toEqual({
      whatsapp: 'cobranca_padrao_whatsapp_v2',
      email: 'cobranca_padrao_email_v2',
    });
    expect(getBuiltinTemplate('nao_existe_v1')).toBeUndefined();
    expect(listBuiltinTemplates('whatsapp').every((t) => t.canal === 'whatsapp')).toBe(true);
    expect(listBuiltinTemplates()).toHaveLength(8);
  });

  describe.each(listBuiltinTemplates().map((t) => [t.id, t] as const))('%s', (id, def) => {
    it('validates clean', () => {
      expect(validateTemplate(def)).toEqual([]);
    });

    it('uses only the documented variables', () => {
      expect(templateVariables(def).sort()).toEqual(
        (id.startsWith('cobranca') ? COBRANCA_VARS : id.startsWith('contato') ? CONTATO_VARS : REUNIAO_VARS)
          .slice()
          .sort(),
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

  it('a collection message names the creditor with its CNPJ and address, the amount and the due date; no links', () => {
    for (const id of Object.values(DEFAULT_TEMPLATE_BY_CHANNEL)) {
      const r = renderTemplate(getBuiltinTemplate(id)!, VARS);
      if (!r.ok) throw new Error(r.motivo);
      expect(r.texto).not.toMatch(/https?:|www\./);
      expect(r.texto).toContain(
        'Cobra Fácil Recuperadora Ltda (CNPJ 45.723.174/0001-10), Rua Augusta, 500, São Paulo/SP',
      );
      expect(r.texto).toContain('o valor de R$ 1.234,56, com vencimento em 05/03/2026');
      expect(r.texto).toContain('em (11) 4000-2000');
      expect(r.texto).toContain('11.222.***/****-81');
      expect(r.texto).not.toContain('11222333000181');
    }
  });

  it('renders the WhatsApp collection message exactly', () => {
    const r = renderTemplate(getBuiltinTemplate('cobranca_padrao_whatsapp_v2')!, VARS);
    expect(r).toEqual({
      ok: true,
      texto:
        'Olá, Maria! Tudo bem?\n\n' +
        'Aqui é a equipe de Cobra Fácil, em nome de Cobra Fácil Recuperadora Ltda (CNPJ 45.723.174/0001-10), Rua Augusta, 500, São Paulo/SP.\n\n' +
        'Consta em aberto, em nome de Padaria Pão Quente Ltda (documento 11.222.***/****-81), o valor de R$ 1.234,56, com vencimento em 05/03/2026.\n\n' +
        'Para pagar ou negociar, responda esta mensagem ou fale com Cobra Fácil Recuperadora Ltda em (11) 4000-2000.\n\n' +
        'Se não quiser mais receber mensagens, responda SAIR.',
      parametros: [
        'Maria',
        'Cobra Fácil',
        'Cobra Fácil Recuperadora Ltda',
        '45.723.174/0001-10',
        'Rua Augusta, 500, São Paulo/SP',
        'Padaria Pão Quente Ltda',
        '11.222.***/****-81',
        'R$ 1.234,56',
        '05/03/2026',
        '(11) 4000-2000',
      ],
    });
  });

  it('numbers the WhatsApp collection message in parametros order', () => {
    expect(toNumberedBody(getBuiltinTemplate('cobranca_padrao_whatsapp_v2')!)).toBe(
      'Olá, {{1}}! Tudo bem?\n\n' +
        'Aqui é a equipe de {{2}}, em nome de {{3}} (CNPJ {{4}}), {{5}}.\n\n' +
        'Consta em aberto, em nome de {{6}} (documento {{7}}), o valor de {{8}}, com vencimento em {{9}}.\n\n' +
        'Para pagar ou negociar, responda esta mensagem ou fale com {{3}} em {{10}}.\n\n' +
        'Se não quiser mais receber mensagens, responda SAIR.',
    );
  });

  it('renders nothing without the debt or the creditor: the missing variables are named', () => {
    const r = renderTemplate(
      getBuiltinTemplate('cobranca_padrao_email_v2')!,
      leadVariables({ ...LEAD, divida_centavos: null, divida_vencimento: null }, '', null),
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.faltando.sort()).toEqual(
        [
          'credor',
          'credor_cnpj',
          'credor_contato',
          'credor_endereco',
          'remetente',
          'valor_divida',
          'vencimento_divida',
        ].sort(),
      );
  });

  describe('the sales contact templates', () => {
    const ids = ['contato_comercial_whatsapp_v1', 'contato_comercial_email_v1'];

    it('are not collection messages: no cobranca_ id, no debt or creditor variable', () => {
      for (const id of ids) {
        const def = getBuiltinTemplate(id)!;
        expect(isCollectionTemplate(def, templateVariables(def))).toBe(false);
        for (const v of templateVariables(def)) expect(Object.keys(TEMPLATE_VARIABLES)).toContain(v);
      }
      // The collection one, for contrast: the same check says true.
      const cobranca = getBuiltinTemplate('cobranca_padrao_whatsapp_v2')!;
      expect(isCollectionTemplate(cobranca, templateVariables(cobranca))).toBe(true);
    });

    it('render for a lead with no debt and no creditor configured', () => {
      const vars = leadVariables(
        { nome: 'Padaria Pão Quente Ltda', contato_nome: 'Maria', documento: null, documento_tipo: null },
        'Vendas Sol',
      );
      const wa = renderTemplate(getBuiltinTemplate('contato_comercial_whatsapp_v1')!, vars);
      expect(wa).toEqual({
        ok: true,
        texto:
          'Olá, Maria! Aqui é a equipe de Vendas Sol.\n\n' +
          'Gostaríamos de conversar sobre Padaria Pão Quente Ltda. Podemos falar por aqui?\n\n' +
          'Se não quiser mais receber mensagens, responda SAIR.',
        parametros: ['Maria', 'Vendas Sol', 'Padaria Pão Quente Ltda'],
      });
      const em = renderTemplate(getBuiltinTemplate('contato_comercial_email_v1')!, vars);
      if (!em.ok) throw new Error(em.motivo);
      expect(em.assunto).toBe('Vendas Sol e Padaria Pão Quente Ltda: podemos conversar?');
      expect(em.texto).toContain(
        'Aqui é a equipe de Vendas Sol. Gostaríamos de conversar sobre Padaria Pão Quente Ltda.',
      );
      expect(em.texto.endsWith(OPT_OUT_TEXT)).toBe(true);
      expect(em.html).toContain(OPT_OUT_TEXT);
      for (const text of [wa.ok ? wa.texto : '', em.texto])
        expect(text).not.toMatch(/d[ií]vida|credor|valor|vencimento|pagar/i);
    });
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
    const def = getBuiltinTemplate('cobranca_padrao_whatsapp_v2')!;
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.whatsapp!.parametros)).toBe(true);
  });
});
