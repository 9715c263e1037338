import { describe, expect, it } from 'vitest';
import { classifyReply, normalizeReply, type ReplyClass } from '../../src/core/replies/classify.js';

// [message, expected class]. Real-looking WhatsApp / e-mail replies: typos, no accents, emojis, caps.
const TABLE: Array<[string, ReplyClass]> = [
  // ── opt-out ────────────────────────────────────────────────────────────────
  ['sair', 'opt_out'],
  ['SAIR', 'opt_out'],
  ['Saaair!!!', 'opt_out'],
  ['parar', 'opt_out'],
  ['Pare', 'opt_out'],
  ['Pare já!!!', 'opt_out'],
  ['para de mandar mensagem', 'opt_out'],
  ['PARA DE ME MANDAR ISSO 😡😡', 'opt_out'],
  ['remover', 'opt_out'],
  ['me remova da lista por favor', 'opt_out'],
  ['Remove meu número', 'opt_out'],
  ['descadastrar', 'opt_out'],
  ['Descadrastar', 'opt_out'],
  ['quero me descadastrar', 'opt_out'],
  ['cancelar inscrição', 'opt_out'],
  ['cancelar inscricao', 'opt_out'],
  ['Cancelar', 'opt_out'],
  ['não quero receber', 'opt_out'],
  ['nao quero mais receber mensagens', 'opt_out'],
  ['Naum quero receber msg', 'opt_out'],
  ['STOP', 'opt_out'],
  ['stopp', 'opt_out'],
  ['unsubscribe', 'opt_out'],
  ['Bloquear', 'opt_out'],
  ['vou bloquear esse número', 'opt_out'],
  ['não me mande mais nada', 'opt_out'],
  ['nao me mande mais', 'opt_out'],
  ['chega de mensagem!!!', 'opt_out'],
  ['chega de msg pfv', 'opt_out'],
  ['não entre mais em contato comigo', 'opt_out'],
  ['me tira dessa lista', 'opt_out'],
  ['me tira dessa lista aí 🙄', 'opt_out'],
  ['LGPD: exclua meus dados', 'opt_out'],
  ['Conforme a LGPD solicito a exclusão dos meus dados', 'opt_out'],
  ['exclua meus dados imediatamente', 'opt_out'],
  ['sai fora, não me mande mais mensagem', 'opt_out'],
  ['isso é spam', 'opt_out'],
  ['pare de me encher o saco', 'opt_out'],
  ['para com isso', 'opt_out'],
  ['não tenho interesse, parem de mandar mensagem', 'opt_out'], // opt-out beats refusal
  ['como faço pra sair dessa lista?', 'opt_out'], // opt-out phrased as a question keeps its class
  ['não me ligue mais', 'opt_out'],
  ['pode parar de me ligar e mandar por whatsapp', 'opt_out'], // ambiguous: accepted as opt-out (see classify.ts)
  // ── opt-out traps (must NOT be opt-out) ────────────────────────────────────
  ['não consigo sair de casa, me liga amanhã', 'interesse'],
  ['vou parar no escritório às 10', 'outro'],
  ['para mim pode ser às 15h', 'confirmacao'],
  ['me tira uma dúvida: qual o valor total?', 'pergunta'],
  ['meu cartão tá bloqueado, como pago?', 'pergunta'],
  ['ainda nao recebi o boleto, pode reenviar?', 'pergunta'],
  ['não me liga agora, me liga amanhã cedo', 'interesse'],
  ['vou sair do trabalho às 18h, me liga', 'interesse'],
  ['quero sair', 'opt_out'],
  ['não pode ser amanhã', 'outro'],
  ['não manda o boleto ainda', 'outro'],
  // ── confirmação ────────────────────────────────────────────────────────────
  ['confirmo', 'confirmacao'],
  ['Confirmado!', 'confirmacao'],
  ['ok, combinado', 'confirmacao'],
  ['sim, pode ser às 10', 'confirmacao'],
  ['fechado', 'confirmacao'],
  ['tá confirmado 👍', 'confirmacao'],
  ['👍', 'confirmacao'],
  ['👍🏻', 'confirmacao'],
  ['estarei lá', 'confirmacao'],
  ['Combinadíssimo, até amanhã', 'confirmacao'],
  ['blz, amanhã 14h tá ótimo', 'confirmacao'],
  ['Sim', 'confirmacao'],
  ['pode marcar', 'confirmacao'],
  // ── interesse ──────────────────────────────────────────────────────────────
  ['tenho interesse', 'interesse'],
  ['Tenho interesse sim, como funciona?', 'interesse'],
  ['tenho interece', 'interesse'],
  ['quero negociar', 'interesse'],
  ['quero negociar minha dívida', 'interesse'],
  ['me manda a proposta', 'interesse'],
  ['Me manda a proposta por email pfv', 'interesse'],
  ['quero saber mais', 'interesse'],
  ['podemos conversar amanhã?', 'interesse'],
  ['me liga', 'interesse'],
  ['me liga depois das 14h', 'interesse'],
  ['gostaria de fazer um acordo', 'interesse'],
  ['Quero parcelar em 10x', 'interesse'],
  // ── recusa ─────────────────────────────────────────────────────────────────
  ['não tenho interesse', 'recusa'],
  ['Nao tenho interesse obrigado', 'recusa'],
  ['não devo nada', 'recusa'],
  ['já paguei', 'recusa'],
  ['ja paguei essa conta mês passado', 'recusa'],
  ['não reconheço essa dívida', 'recusa'],
  ['não quero negociar', 'recusa'],
  ['numero errado', 'recusa'],
  ['Número errado!!', 'recusa'],
  ['não sou eu', 'recusa'],
  ['nao sou eu, vcs estão procurando outra pessoa', 'recusa'],
  ['Não, obrigado', 'recusa'],
  ['sem interesse', 'recusa'],
  ['quem é vc? não devo nada pra ninguém', 'recusa'], // refusal phrased as a question keeps its class
  ['Já paguei, por que estão cobrando?', 'recusa'],
  // ── pergunta ───────────────────────────────────────────────────────────────
  ['qual o valor?', 'pergunta'],
  ['Quanto fica à vista', 'pergunta'],
  ['como funciona o parcelamento', 'pergunta'],
  ['quando vence?', 'pergunta'],
  ['onde eu pago', 'pergunta'],
  ['por que vocês estão me cobrando isso', 'pergunta'],
  ['quem é?', 'pergunta'],
  ['Aceita pix?', 'pergunta'],
  ['tem desconto?', 'pergunta'],
  // ── outro ──────────────────────────────────────────────────────────────────
  ['bom dia', 'outro'],
  ['Boa tarde!', 'outro'],
  ['', 'outro'],
  ['   ', 'outro'],
  ['oi', 'outro'],
  ['kkkkkk', 'outro'],
  ['Obrigado', 'outro'],
  ['🙏', 'outro'],
  ['to dirigindo agora', 'outro'],
  ['Recebi', 'outro'],
];

describe('classifyReply – table', () => {
  it.each(TABLE)('%j → %s', (msg, expected) => {
    const r = classifyReply(msg);
    expect(r.classe, `motivo: ${r.motivo}`).toBe(expected);
    expect(r.confianca).toBeGreaterThan(0);
    expect(r.confianca).toBeLessThanOrEqual(1);
    expect(r.motivo.length).toBeGreaterThan(0);
    expect(r.acao_sugerida.length).toBeGreaterThan(0);
  });

  it('table size and coverage', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(60);
    expect(TABLE.filter(([, c]) => c === 'opt_out').length).toBeGreaterThanOrEqual(20);
  });

  it('overall accuracy >= 0.9 and opt-out recall === 1', () => {
    let correct = 0;
    let optOutTotal = 0;
    let optOutHit = 0;
    const misses: string[] = [];
    for (const [msg, expected] of TABLE) {
      const got = classifyReply(msg).classe;
      if (got === expected) correct++;
      else misses.push(`  ${JSON.stringify(msg)}: expected ${expected}, got ${got}`);
      if (expected === 'opt_out') {
        optOutTotal++;
        if (got === 'opt_out') optOutHit++;
      }
    }
    const accuracy = correct / TABLE.length;
    const recall = optOutHit / optOutTotal;
    process.stdout.write(
      `[reply-classify] accuracy ${correct}/${TABLE.length} = ${accuracy.toFixed(3)}; ` +
        `opt-out recall ${optOutHit}/${optOutTotal} = ${recall.toFixed(3)}\n` +
        (misses.length ? `${misses.join('\n')}\n` : ''),
    );
    expect(recall).toBe(1);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });
});

describe('classifyReply – details', () => {
  it('suggested actions per class', () => {
    expect(classifyReply('SAIR').acao_sugerida).toBe(
      'Registrar opt-out imediato em todos os canais e não responder com oferta',
    );
    expect(classifyReply('tenho interesse').acao_sugerida).toBe('Propor horários (propose_slots) e agendar');
    expect(classifyReply('confirmo').acao_sugerida).toBe(
      'Confirmar a reunião (update_meeting, action confirm) se houver uma agendada',
    );
    expect(classifyReply('já paguei').acao_sugerida).toBe('Marcar como perdido ou revisar a cobrança; não insistir');
    expect(classifyReply('qual o valor?').acao_sugerida).toBe('Responder a dúvida; um humano pode ser necessário');
  });

  it('motivo names the matched cue', () => {
    expect(classifyReply('Pode parar de mandar mensagem!!').motivo).toContain('parar de mandar');
  });

  it('normalises case, accents, repeated letters, emojis and abbreviations', () => {
    expect(normalizeReply('NÃÃÃO quero + MSG!!! 😡')).toBe('nao quero mensagem');
    expect(normalizeReply('Saaaair')).toBe('sair');
    expect(normalizeReply('')).toBe('');
  });

  it('a "?" turns a weak confirmation into a question', () => {
    expect(classifyReply('pode ser às 10?').classe).toBe('pergunta');
    expect(classifyReply('fechado?').classe).toBe('pergunta');
  });

  it('never throws on odd input', () => {
    expect(classifyReply(undefined as unknown as string).classe).toBe('outro');
    expect(classifyReply('constructor').classe).toBe('outro');
  });
});
