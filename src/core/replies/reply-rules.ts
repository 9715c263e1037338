/**
 * The classifier's rules, in precedence order of their classes (classify.ts): patterns written in
 * plain Portuguese over the normalised reply (normalize-reply.ts), each with a confidence and the cue
 * it reports. A data table: it grows with the phrasings seen in real replies.
 */
import { rx, squash } from './normalize-reply.js';
export interface Rule {
  re: RegExp;
  conf: number;
  cue: string;
}

const OBJ_CONNECTORS =
  '(?:(?:de|dos|das|do|da|os|o|as|a|todos|todas|meus|meu|minhas|minha|ese|este|desse|deste|esa|esta) )*';
const LIST_WORDS =
  '(?:lista|listas|grupo|base|cadastro|contatos|mailing|sistema|transmissao|envios?|mensagem|disparos?)';
const REMOVE_VERBS =
  '(?:tira|tire|tirem|tirar|retira|retire|retirem|retirar|exclui|exclua|excluam|excluir|remove|remova|removam|remover|' +
  'apaga|apague|apaguem|apagar|deleta|delete|deletem|deletar|descadastra|descadastre)';

export const OPT_OUT_RULES: Rule[] = [
  {
    re: rx('\\b(?:descad\\w*|desinscrev\\w*|unsubscrib\\w*|unsub|opt out)\\b'),
    conf: 0.97,
    cue: 'pedido de descadastro/unsubscribe',
  },
  { re: rx('\\bstop\\b'), conf: 0.95, cue: 'comando STOP' },
  { re: rx('\\blgpd\\b'), conf: 0.95, cue: 'menção à LGPD' },
  {
    re: rx(
      `\\b(?:exclu|delet|apag|remov|elimin|retir)\\w* ${OBJ_CONNECTORS}(?:dados|informacoes|cadastro|contato|numero|telefone|celular|email|whatsapp)\\b`,
    ),
    conf: 0.95,
    cue: 'pedido de exclusão de dados/contato',
  },
  {
    re: rx(
      `\\bcancel\\w* ${OBJ_CONNECTORS}(?:inscric\\w*|inscris\\w*|assinatur\\w*|cadastro|envios?|mensagem|recebimento|contato|lista|notificac\\w*|comunicac\\w*)`,
    ),
    conf: 0.95,
    cue: 'pedido de cancelamento de inscrição/envios',
  },
  {
    re: rx(
      '\\b(?:pare|parem|paren|para|parar|paras)(?: de| com)(?: me| mim)? (?:mand|envi|lig|ench|perturb|pertub|incomod|importun|cham|mensagem|spam|isso|isto|contat|escrev|fic|cobr)',
    ),
    conf: 0.95,
    cue: 'pedido para parar os envios/contatos',
  },
  { re: rx('\\b(?:pare|parem|paren)\\b'), conf: 0.9, cue: 'imperativo "pare/parem"' },
  {
    re: rx(
      '\\b(?:quero|queria|gostaria de|desejo|preciso|como faco pra|como faco para|como|deixa eu|me deixa|me deixe) sair\\b',
    ),
    conf: 0.9,
    cue: 'pedido para sair',
  },
  {
    re: rx(`\\bsai[ra]? (?:da|dessa|desta|do|desse|deste|dos|das|de) ${LIST_WORDS}\\b`),
    conf: 0.95,
    cue: 'pedido para sair da lista',
  },
  {
    re: rx(`\\b${REMOVE_VERBS}\\b.{0,30}\\b(?:da|dessa|desta|do|desse|deste|dos|das|de) ${LIST_WORDS}\\b`),
    conf: 0.95,
    cue: 'pedido de remoção da lista',
  },
  {
    re: rx(
      `\\bme (?:${REMOVE_VERBS.slice(3, -1)}|descadastr\\w*|esquece|esqueca|esquecam)\\b(?! (?:uma |umas |a |as |essa )?duvida)`,
    ),
    conf: 0.93,
    cue: 'pedido "me tira/me remova/me esquece"',
  },
  { re: rx(`\\b${REMOVE_VERBS} me\\b`), conf: 0.93, cue: 'pedido "remova-me"' },
  { re: rx('\\bdeix\\w* (?:me )?em paz\\b'), conf: 0.9, cue: 'pedido "me deixe em paz"' },
  {
    re: rx('\\b(?:nao|nunca) me (?:mais )?(?:mand|envi|escrev|perturb|incomod|ench|procur|contat|contact)\\w*'),
    conf: 0.92,
    cue: 'pedido "não me mande/não me procure"',
  },
  {
    re: rx('\\b(?:nao|nunca) (?:mais )?(?:mand|envi|escrev)\\w* (?:mais|nada|mensagem|spam|isso|isto)\\b'),
    conf: 0.9,
    cue: 'pedido "não mande mais"',
  },
  {
    re: rx(
      '\\b(?:nao|nunca) (?:me )?(?:mais )?(?:liga|ligue|liguem|ligar|chama|chame|chamem)(?: (?:mais|nunca)\\b| (?:pra|para) mim mais\\b|$)',
    ),
    conf: 0.9,
    cue: 'pedido "não me ligue mais"',
  },
  {
    re: rx('\\b(?:nao|nunca) (?:me )?(?:entre|entrem|entra|entrar|faca|facam)(?: mais)?(?: em)? contato'),
    conf: 0.95,
    cue: 'pedido "não entre mais em contato"',
  },
  {
    re: rx('\\bnao (?:quero|desejo|quer|gostaria de|aceito|autorizo)(?: mais| continuar)* (?:receber|recebendo)\\b'),
    conf: 0.95,
    cue: 'pedido "não quero receber"',
  },
  {
    re: rx(
      '\\bnao (?:quero|desejo|quer|gostaria de|aceito|autorizo)(?: mais| receber| ser| ter)*(?: nenhum| nenhuma| qualquer)? (?:contato|contatad\\w*|mensagem|ligac\\w*|emails?|spam|propaganda|ofertas?|promoc\\w*)\\b',
    ),
    conf: 0.93,
    cue: 'recusa de novos contatos/mensagens',
  },
  {
    re: rx('\\bnao (?:autorizo|autorizei|permito|permiti|consenti)\\b'),
    conf: 0.9,
    cue: 'falta de autorização/consentimento',
  },
  { re: rx('\\bchega (?:de|disso|disto)\\b'), conf: 0.93, cue: 'pedido "chega de mensagem"' },
  {
    re: rx('\\b(?:vou|vo|irei|vou te|vou ter que|ja|so|pode|posso|vai) (?:te |vos |voces |lhe |ser )?bloque\\w*'),
    conf: 0.9,
    cue: 'ameaça de bloqueio',
  },
  { re: rx('^bloque\\w*'), conf: 0.9, cue: 'pedido de bloqueio' },
  {
    re: rx('\\bbloque(?:ar|ia|ei|arei|o) (?:esse|este|seu|teu|o seu|vcs|voces|voce|numero|contato|whatsapp|isso)\\b'),
    conf: 0.9,
    cue: 'pedido de bloqueio',
  },
  { re: rx('\\b(?:spam|denunci\\w*|procon)\\b'), conf: 0.85, cue: 'reclamação de spam/denúncia' },
];

/** Whole-message commands ("SAIR", "Pare já!!!", "remover por favor"). */
export const COMMANDS = new Set(
  [
    'sair',
    'sai',
    'saia',
    'parar',
    'pare',
    'para',
    'parem',
    'stop',
    'cancelar',
    'cancela',
    'cancele',
    'cancelo',
    'remover',
    'remove',
    'remova',
    'bloquear',
    'bloqueia',
    'bloqueado',
    'bloqueei',
    'chega',
    'basta',
    'excluir',
    'exclua',
    'unsubscribe',
  ].map(squash),
);
export const COMMAND_FILLERS = new Set(
  [
    'por',
    'favor',
    'gentileza',
    'obrigado',
    'ja',
    'agora',
    'urgente',
    'imediatamente',
    'logo',
    'isso',
    'ai',
    'aqui',
    'ok',
    'me',
    'tudo',
    'mais',
    'voces',
    'vez',
    'uma',
    'pelo',
    'amor',
    'deus',
    'ne',
    'daqui',
    'fora',
    'entao',
  ].map(squash),
);

export const RECUSA_RULES: Rule[] = [
  { re: rx('\\b(?:nao|nem)\\b(?: \\w+){0,3} intere[scz]\\w*'), conf: 0.92, cue: 'negação de interesse' },
  { re: rx('\\b(?:sem|zero|nenhum) intere[scz]\\w*|\\bdesintere\\w*'), conf: 0.92, cue: 'sem interesse' },
  { re: rx('\\bnao devo\\b|\\bnao (?:tenho|tem|existe) (?:nenhuma )?divida'), conf: 0.92, cue: 'nega a dívida' },
  {
    re: rx(
      '\\bja (?:paguei|pagei|pago|paga|quitei|quitado|quitada|pagamos|foi pago|foi paga|foi quitad\\w*|esta pago|ta pago|ta quitado|resolvi|negociei|acertei)\\b|\\b(?:ta|esta|tudo) (?:pago|quitado)\\b|\\b(?:paguei|quitei) (?:ja|tudo|faz|mes|semana|ontem)\\b',
    ),
    conf: 0.9,
    cue: 'informa que já pagou',
  },
  {
    re: rx('\\bnao reconhe\\w*|\\bdesconhe\\w*|\\bnao conhe\\w* (?:essa|esse|esta|este|nenhum|nenhuma|ninguem)\\b'),
    conf: 0.9,
    cue: 'não reconhece a cobrança/contato',
  },
  {
    re: rx(
      '\\bnao (?:quero|vou|pretendo|desejo|posso|irei|tenho como)(?: mais)? (?:negociar|renegociar|pagar|fazer (?:acordo|negocio)|contratar|comprar|parcelar)\\b',
    ),
    conf: 0.9,
    cue: 'recusa negociar/pagar',
  },
  {
    re: rx(
      '\\bnumero errado\\b|\\bnumero (?:nao e|nao pertence)\\b|\\bengano\\b|\\bpessoa errada\\b|\\bcontato errado\\b',
    ),
    conf: 0.92,
    cue: 'número/pessoa errada',
  },
  { re: rx('\\bnao (?:sou|e) (?:eu|ele|ela)\\b|\\bnao sei quem e\\b'), conf: 0.88, cue: 'não é a pessoa procurada' },
  {
    re: rx('^nao(?: (?:obrigado|nao|valeu|quero|preciso))*$|\\bnao obrigado\\b'),
    conf: 0.85,
    cue: 'resposta negativa',
  },
  {
    re: rx('\\b(?:agora|no momento|por enquanto) nao\\b|\\bnao preciso\\b|\\bgolpe\\b'),
    conf: 0.8,
    cue: 'recusa/desconfiança',
  },
  {
    re: rx('\\bnao (?:posso |vou |consigo )?(?:confirmar|confirmo|comparecer)\\b|\\bdesmarc\\w*'),
    conf: 0.8,
    cue: 'não confirma/desmarca',
  },
];

export const CONFIRMACAO_RULES: Rule[] = [
  {
    re: rx('\\bconfirm(?:o|ado|ada|ados|adas|amos|ando|ei|adissimo|adissima)\\b'),
    conf: 0.92,
    cue: 'confirmação explícita',
  },
  {
    re: rx('\\b(?:ta|esta|fica|ficou|tudo|ja|entao) (?:confirmado|combinado|marcado|agendado|fechado)\\b'),
    conf: 0.9,
    cue: 'confirmação ("tá combinado")',
  },
  {
    re: rx(
      '\\b(?:estarei|irei) (?:la|ai|presente|online|disponivel)\\b|\\b(?:vou|vamos|irei) (?:estar (?:la|ai|presente|online)|comparecer)\\b|\\bnos vemos\\b|\\bte vejo\\b',
    ),
    conf: 0.88,
    cue: 'confirma presença',
  },
  {
    re: rx('\\bcombinad\\w*|\\bfechad[oa]\\b|\\bfechou\\b|\\bmarcad[oa]\\b|\\bagendad[oa]\\b|\\bde acordo\\b'),
    conf: 0.85,
    cue: 'acordo ("combinado/fechado")',
  },
  {
    re: rx('\\b(?:ta|esta|fica) (?:certo|otimo|perfeito|bom|bem|ok|show)\\b'),
    conf: 0.8,
    cue: 'concordância ("tá ótimo")',
  },
  {
    re: rx(
      '(?<!nao )\\bpode ser\\b(?: (?:sim|entao|as|a|amanha|hoje|segunda|terca|quarta|quinta|sexta|sabado|domingo|no|na|nesse|neste|esse|este|de|depois|antes|pela|pelo|dia)\\b| \\d|$)|(?<!nao )\\bpode (?:marcar|agendar|confirmar)\\b',
    ),
    conf: 0.8,
    cue: 'aceita o horário ("pode ser")',
  },
];

export const AFFIRMATIVE_CORE = new Set(
  [
    'sim',
    'ok',
    'beleza',
    'certo',
    'perfeito',
    'show',
    'otimo',
    'claro',
    'combinado',
    'fechado',
    'feito',
    'positivo',
    'joia',
    'top',
    'marcado',
    'confirmado',
    'fechou',
    'isso',
    'exato',
    'certeza',
    'pode',
  ].map(squash),
);
export const AFFIRMATIVE_FILLERS = new Set(
  [
    'obrigado',
    'valeu',
    'entao',
    'e',
    'de',
    'com',
    'as',
    'a',
    'o',
    'ta',
    'bom',
    'bem',
    'ser',
    'senhor',
    'senhora',
    'amanha',
    'hoje',
    'horas',
    'h',
    'mesmo',
    'acordo',
    'tudo',
    'ai',
    'sr',
    'sra',
    'dr',
    'dra',
  ].map(squash),
);
/** 👍 👌 ✅ 🤝 🆗 ✔ ☑ (+ skin tones / variation selector). */
export const THUMBS = /[\u{1F44D}\u{1F44C}\u{2705}\u{1F91D}\u{1F197}\u{2714}\u{2611}]/u;

export const INTERESSE_RULES: Rule[] = [
  {
    re: rx(
      '\\b(?:tenho|tem|temos|estou com|to com|fiquei com)(?: muito| bastante| sim)? intere[scz]\\w*|\\bintere[scz]ad[oa]s?\\b|\\bme intere[scz]a\\b',
    ),
    conf: 0.9,
    cue: 'declara interesse',
  },
  {
    re: rx(
      '\\b(?:quero|queria|gostaria de|gostaria|desejo|preciso|vamos|bora|podemos|posso|pretendo|quer)(?: \\w+)? (?:negociar|renegociar|fazer (?:um |o )?acordo|acordo|parcelar|quitar|regularizar|pagar|contratar|comprar|fechar|conversar|falar|marcar|agendar|entender|conhecer|saber mais|mais informac\\w*|uma proposta|proposta|resolver|uma reuniao|reuniao)\\b',
    ),
    conf: 0.85,
    cue: 'quer negociar/conversar',
  },
  { re: rx('\\bsaber mais\\b|\\bmais (?:informac\\w*|detalhes)\\b'), conf: 0.8, cue: 'pede mais informações' },
  {
    re: rx(
      '(?<!nao )\\b(?:manda|mande|mandem|envia|envie|enviem|passa|passe|passem|encaminha|encaminhe|mostra|mostre)(?: me)?(?: (?:ai|a|o|as|os|um|uma|pra mim|por email|por whatsapp|no whatsapp|no email|sua|seu))* (?:proposta|propostas|boleto|boletos|orcamento|valores|valor|condicoes|detalhes|informac\\w*|simulac\\w*|opcoes|link|contrato|apresentac\\w*|catalogo|pix|chave)\\b',
    ),
    conf: 0.85,
    cue: 'pede a proposta/boleto',
  },
  {
    re: rx(
      '\\b(?:me|pode me|podem me) (?:liga|ligue|ligar|liguem|chama|chame|retorna|retorne|telefona|telefone)\\b|\\bliga (?:pra|para) mim\\b|\\bpode ligar\\b',
    ),
    conf: 0.85,
    cue: 'pede contato ("me liga")',
  },
  {
    re: rx('\\baceito\\b(?: (?:a|o))? (?:proposta|acordo|oferta|parcelamento|desconto|condic\\w*)'),
    conf: 0.85,
    cue: 'aceita a proposta',
  },
];

export const QUESTION_START = rx(
  '^(?:qual|quais|quanto|quanta|quantos|quantas|como|quando|onde|aonde|cade|quem|por que|porque|o que|que horas|sera que|tem como|e possivel)\\b',
);
