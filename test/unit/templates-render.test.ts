import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import {
  renderTemplate,
  templateVariables,
  toNumberedBody,
  validateTemplate,
} from '../../src/core/templates/render.js';
import type { TemplateDef } from '../../src/core/templates/types.js';

const email: TemplateDef = {
  id: 'teste_email_v1',
  canal: 'email',
  descricao: 'teste',
  assunto: 'Proposta para {{empresa}}',
  corpo: 'Olá, {{contato}}.\nEmpresa: {{empresa}}',
  html: '<p>Olá, {{contato}}.</p><p>Empresa: {{empresa}}</p>',
};

const whatsapp: TemplateDef = {
  id: 'teste_whatsapp_v1',
  canal: 'whatsapp',
  descricao: 'teste',
  corpo: 'Olá, {{contato}}! Aqui é {{remetente}}, sobre {{empresa}}. Até logo, {{contato}}.',
  whatsapp: { nome_aprovado: 'teste_whatsapp_v1', idioma: 'pt_BR', parametros: ['contato', 'remetente', 'empresa'] },
};

describe('templateVariables', () => {
  it('lists each variable once, in order of first use across assunto, corpo and html', () => {
    expect(templateVariables(email)).toEqual(['empresa', 'contato']);
    expect(templateVariables(whatsapp)).toEqual(['contato', 'remetente', 'empresa']);
  });
});

describe('validateTemplate', () => {
  it.each<[string, Partial<TemplateDef>, string]>([
    [
      'a section',
      { corpo: 'Olá{{#vip}}, cliente VIP{{/vip}}!' },
      'corpo: seções ({{#vip}}) não são permitidas; use apenas {{variável}}',
    ],
    [
      'an inverted section',
      { corpo: '{{^nome}}Olá!{{/nome}}' },
      'corpo: seções ({{^nome}}) não são permitidas; use apenas {{variável}}',
    ],
    [
      'a partial',
      { corpo: 'Olá! {{>rodape}}' },
      'corpo: partials ({{>rodape}}) não são permitidos; use apenas {{variável}}',
    ],
    [
      'an unescaped value in html',
      { html: '<p>{{{empresa}}}</p>' },
      'html: variável sem escape ({{{empresa}}} ou {{&empresa}}) não é permitida; use {{empresa}}',
    ],
    [
      'a comment',
      { corpo: 'Olá {{! revisar }}' },
      'corpo: comentários ({{! ...}}) não são permitidos; use apenas {{variável}}',
    ],
    [
      'custom delimiters',
      { corpo: '{{=<% %>=}}Olá <%contato%>' },
      'corpo: troca de delimitadores ({{=...=}}) não é permitida',
    ],
    [
      'a dotted name',
      { corpo: 'Olá {{lead.nome}}' },
      'corpo: nome de variável inválido {{lead.nome}} (use letras minúsculas, dígitos e _, começando por letra)',
    ],
    ['an unclosed tag', { corpo: 'Olá {{contato' }, 'corpo: sintaxe mustache inválida'],
    ['an e-mail without subject', { assunto: ' ' }, 'modelo de e-mail sem assunto'],
    ['an empty body', { corpo: '  ' }, 'corpo vazio'],
    ['a bad id', { id: 'Cobrança V1' }, 'id inválido "Cobrança V1" (use letras minúsculas, dígitos e _)'],
  ])('refuses %s', (_label, patch, problem) => {
    const problems = validateTemplate({ ...email, ...patch });
    expect(problems.some((p) => p.startsWith(problem))).toBe(true);
  });

  it.each<[string, Partial<TemplateDef>, string]>([
    ['a subject', { assunto: 'Oi' }, 'modelo de WhatsApp não usa assunto'],
    ['HTML', { html: '<p>Oi</p>' }, 'modelo de WhatsApp não usa html'],
    [
      'a variable missing from parametros',
      { corpo: 'Olá, {{contato}}! {{remetente}} {{empresa}} {{fuso}}.' },
      'o corpo usa {{fuso}}, que falta em whatsapp.parametros',
    ],
    [
      'a parametro the body does not use',
      { corpo: 'Olá, {{contato}}! Aqui é {{remetente}}.' },
      'whatsapp.parametros lista "empresa", que o corpo não usa',
    ],
    [
      'a body starting with a variable',
      { corpo: '{{contato}}, aqui é {{remetente}} sobre {{empresa}}.' },
      'o corpo de um modelo aprovado no WhatsApp não pode começar nem terminar com uma variável',
    ],
    [
      'a body over 1024 characters',
      { corpo: `Olá, {{contato}}, {{remetente}}, {{empresa}}. ${'x'.repeat(1000)}` },
      'corpo com 1046 caracteres; o WhatsApp aceita no máximo 1024',
    ],
  ])('refuses a WhatsApp template with %s', (_label, patch, problem) => {
    expect(validateTemplate({ ...whatsapp, ...patch })).toContain(problem);
  });

  it('refuses repeated parametros and a bad approved name', () => {
    const def = {
      ...whatsapp,
      whatsapp: {
        nome_aprovado: 'Teste V1',
        idioma: 'pt_BR' as const,
        parametros: ['contato', 'remetente', 'empresa', 'contato'],
      },
    };
    expect(validateTemplate(def)).toEqual([
      'whatsapp.nome_aprovado inválido "Teste V1" (use letras minúsculas, dígitos e _)',
      'whatsapp.parametros repete "contato"',
    ]);
  });

  it('accepts plain variables', () => {
    expect(validateTemplate(email)).toEqual([]);
    expect(validateTemplate(whatsapp)).toEqual([]);
  });
});

describe('renderTemplate', () => {
  const vars = { contato: 'Maria', empresa: 'Silva & Filhos <Ltda>', remetente: 'Cobra Fácil' };

  it('escapes HTML in html but not in the text body or subject', () => {
    expect(renderTemplate(email, vars)).toEqual({
      ok: true,
      texto: 'Olá, Maria.\nEmpresa: Silva & Filhos <Ltda>',
      assunto: 'Proposta para Silva & Filhos <Ltda>',
      html: '<p>Olá, Maria.</p><p>Empresa: Silva &amp; Filhos &lt;Ltda&gt;</p>',
    });
  });

  it('escapes quotes and apostrophes but leaves URLs readable in html', () => {
    const r = renderTemplate(email, { contato: `D'Ávila "Zé"`, empresa: 'https://x.com/a?b=1' });
    expect(r).toMatchObject({
      ok: true,
      html: '<p>Olá, D&#39;Ávila &quot;Zé&quot;.</p><p>Empresa: https://x.com/a?b=1</p>',
    });
  });

  it('does not touch the global Mustache.escape', () => {
    const before = Mustache.escape;
    renderTemplate(email, vars);
    expect(Mustache.escape).toBe(before);
    expect(Mustache.render('{{a}}', { a: '&' })).toBe('&amp;');
  });

  it.each<[string, Record<string, string | null | undefined>, string[], string]>([
    ['all missing', {}, ['empresa', 'contato'], 'variáveis ausentes: empresa, contato'],
    ['one missing', { empresa: 'Padaria' }, ['contato'], 'variável ausente: contato'],
    [
      'null and blank count as missing',
      { empresa: '   ', contato: null },
      ['empresa', 'contato'],
      'variáveis ausentes: empresa, contato',
    ],
    ['invisible characters only', { empresa: '\u200B', contato: 'Ana' }, ['empresa'], 'variável ausente: empresa'],
    [
      'inherited names are not values',
      { empresa: 'Padaria', constructor: undefined },
      ['contato'],
      'variável ausente: contato',
    ],
  ])('reports missing variables before rendering: %s', (_label, input, faltando, motivo) => {
    expect(renderTemplate(email, input)).toEqual({ ok: false, faltando, motivo });
  });

  it('refuses to render an invalid template', () => {
    const r = renderTemplate({ ...email, corpo: '{{#vip}}Oi{{/vip}}' }, vars);
    expect(r).toEqual({
      ok: false,
      faltando: [],
      motivo: 'modelo teste_email_v1 inválido: corpo: seções ({{#vip}}) não são permitidas; use apenas {{variável}}',
    });
  });

  it('trims values; keeps line breaks in e-mail text but never in the subject', () => {
    const r = renderTemplate(email, { contato: '  Maria ', empresa: 'Padaria\nSão João' });
    expect(r).toMatchObject({
      ok: true,
      texto: 'Olá, Maria.\nEmpresa: Padaria\nSão João',
      assunto: 'Proposta para Padaria São João',
    });
  });

  it('collapses line breaks and runs of spaces in WhatsApp values and returns parametros in order', () => {
    const r = renderTemplate(whatsapp, {
      contato: ' Maria\n',
      remetente: 'Cobra\t  Fácil',
      empresa: 'Padaria\r\n\r\nSão     João',
      extra: 'ignored',
    });
    expect(r).toEqual({
      ok: true,
      texto: 'Olá, Maria! Aqui é Cobra Fácil, sobre Padaria São João. Até logo, Maria.',
      parametros: ['Maria', 'Cobra Fácil', 'Padaria São João'],
    });
  });

  it('does not re-render mustache found in values', () => {
    const r = renderTemplate(whatsapp, { contato: '{{remetente}}', remetente: 'X', empresa: 'Y' });
    expect(r).toMatchObject({ ok: true, parametros: ['{{remetente}}', 'X', 'Y'] });
  });
});

describe('toNumberedBody', () => {
  it('replaces each variable by its position in parametros, repeats included', () => {
    expect(toNumberedBody(whatsapp)).toBe('Olá, {{1}}! Aqui é {{2}}, sobre {{3}}. Até logo, {{1}}.');
  });

  it('follows parametros order, not order of appearance', () => {
    const def = { ...whatsapp, whatsapp: { ...whatsapp.whatsapp!, parametros: ['empresa', 'contato', 'remetente'] } };
    expect(toNumberedBody(def)).toBe('Olá, {{2}}! Aqui é {{3}}, sobre {{1}}. Até logo, {{2}}.');
  });

  it.each<[string, TemplateDef, RegExp]>([
    ['an e-mail template', email, /has no whatsapp spec/],
    ['a variable not in parametros', { ...whatsapp, corpo: 'Olá, {{fuso}}!' }, /\{\{fuso\}\} is not a variable listed/],
    ['a section', { ...whatsapp, corpo: 'Olá{{#contato}}!{{/contato}}' }, /\{\{#contato\}\} is not a variable listed/],
  ])('throws for %s', (_label, def, message) => {
    expect(() => toNumberedBody(def)).toThrow(message);
  });
});

/**
 * templateVariables and validateTemplate keep what they found by the template's content
 * (core/templates/validate.ts): a template changed in any part they read — even the same object
 * changed in place — is checked anew, and a caller changing the answer changes nobody else's.
 */
describe('template checks kept by content', () => {
  const whatsapp: TemplateDef = {
    id: 'memo_whatsapp_v1',
    canal: 'whatsapp',
    descricao: 'teste',
    corpo: 'Olá, {{contato}}, da {{empresa}}.',
    whatsapp: { nome_aprovado: 'memo_whatsapp_v1', idioma: 'pt_BR', parametros: ['contato', 'empresa'] },
  };

  it('answers for the template as it is now', () => {
    const def: TemplateDef = structuredClone(whatsapp);
    expect(templateVariables(def)).toEqual(['contato', 'empresa']);
    expect(validateTemplate(def)).toEqual([]);

    def.corpo = 'Olá, {{contato}}, {{#vip}}da{{/vip}} {{empresa}}.';
    expect(templateVariables(def)).toEqual(['contato', 'empresa']);
    expect(validateTemplate(def)).toEqual([expect.stringContaining('seções')]);
    expect(renderTemplate(def, { contato: 'Ana', empresa: 'Sol' })).toMatchObject({ ok: false });

    def.corpo = 'Olá, {{contato}}, da {{empresa}}.';
    def.whatsapp!.parametros.push('valor_divida');
    expect(validateTemplate(def)).toEqual([expect.stringContaining('"valor_divida", que o corpo não usa')]);
    def.whatsapp!.parametros.pop();
    expect(validateTemplate(def)).toEqual([]);

    def.id = 'Memo';
    expect(validateTemplate(def)).toEqual([expect.stringContaining('id inválido')]);
    const mail: TemplateDef = { ...structuredClone(email), assunto: 'Sobre {{valor_divida}}' };
    expect(templateVariables(mail)[0]).toBe('valor_divida');
  });

  it('gives each caller its own array', () => {
    templateVariables(whatsapp).push('x');
    validateTemplate(whatsapp).push('x');
    expect(templateVariables(whatsapp)).toEqual(['contato', 'empresa']);
    expect(validateTemplate(whatsapp)).toEqual([]);
  });
});
