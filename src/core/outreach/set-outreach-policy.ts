import { z } from 'zod';
import { setRateLimit } from '../dispatch/rate-limit.js';
import { ChannelLimitsRef, dispatchLimits, type ChannelLimits } from '../dispatch/limits.js';
import { AppError } from '../errors.js';
import { SEND_CHANNELS } from '../model/index.js';
import type { SendWindowConfig } from '../policy/index.js';
import type { Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { normalizeDocument } from '../normalize/index.js';
import type { CreditorForTemplate } from '../templates/index.js';
import { loadPolicy, savePolicy } from './policy.js';
import { saveTemplateOverride } from './templates.js';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM from 00:00 to 23:59, e.g. 08:00');
const HHMM_END = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time HH:MM up to 24:00, e.g. 18:00');
const DAY = z
  .object({ start: HHMM, end: HHMM_END })
  // Zero-padded HH:MM compare as text; a window cannot cross midnight (split it over two days).
  .refine((d) => d.start < d.end, 'start must be before end')
  .nullable();
const LOCAL_DATE = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD, e.g. 2026-12-24')
  .refine(
    (s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().startsWith(s),
    'is not a calendar date (give a day that exists, YYYY-MM-DD)',
  );

const sendWindow = z.object({
  days: z.array(DAY).length(7).describe("Lead's local time; index 0 = Sunday; null = closed"),
  respect_holidays: z.boolean().default(true),
  extra_holidays: z.array(LOCAL_DATE).max(100).optional(),
});

const creditor = z.object({
  legal_name: z.string().trim().max(200),
  tax_id: z.string().max(20).describe('CNPJ'),
  address: z.string().trim().max(300),
  contact: z.string().trim().max(200).describe('How to pay or talk'),
});

export const setOutreachPolicyInput = {
  sender_name: z.string().min(2).max(200).optional(),
  creditor: creditor.optional(),
  prescription_years: z.number().int().min(1).max(30).optional(),
  send_window: sendWindow.optional(),
  max_messages_per_lead_24h: z.number().int().min(1).max(10).optional(),
  pace: z
    .object({
      channel: z.enum(SEND_CHANNELS),
      per_second: z.number().min(0.1).max(10_000).describe('Shared by every worker'),
      max_recipients_24h: z
        .number()
        .int()
        .min(1)
        .max(10_000_000)
        .optional()
        .describe('Distinct, per 24 h (WhatsApp tiers 250 to 100000)'),
    })
    .optional()
    .describe('Pace of one channel'),
  template: z
    .object({
      id: z
        .string()
        .regex(/^[a-z0-9_]+$/, 'must be lowercase letters, digits and _ only, e.g. cobranca_dezembro')
        .max(100),
      channel: z.enum(SEND_CHANNELS),
      description: z.string().max(300).default('personalizado'),
      subject: z.string().max(300).optional(),
      body: z.string().min(10).max(4000),
      html: z.string().max(20000).optional(),
    })
    .optional()
    .describe('Add, or override a built-in by id'),
};

export const setOutreachPolicyOutput = {
  sender_name: z.string(),
  creditor: z.unknown().describe('null: unset'),
  prescription_years: z.number(),
  // Not repeated here: the input schema shows it (tools/list budget).
  send_window: z.unknown().describe('As the input send_window'),
  max_messages_per_lead_24h: z.number(),
  limits: ChannelLimitsRef,
};
type SendWindow = z.infer<typeof sendWindow>;

/**
 * Reads (no arguments) or changes the tenant's outreach rules: the sender name, the weekly send window
 * in the lead's local time, messages per lead per 24 h, one channel's pace and 24 h recipient cap, and a
 * template override ({{var}}). Returns the policy in force afterwards.
 */
export async function setOutreachPolicy(
  scope: Scope,
  input: Infer<typeof setOutreachPolicyInput>,
): Promise<Infer<typeof setOutreachPolicyOutput>> {
  const t = scope.tenant.tenant_id;
  let limits: ChannelLimits[] = [];
  const policy = await scope.tx(async (tx) => {
    const { sender_name, send_window, max_messages_per_lead_24h: max, pace, template } = input;
    const credor = input.creditor && toCreditor(input.creditor);
    const anos = input.prescription_years;
    if ([sender_name, send_window, max, credor, anos].some((v) => v !== undefined)) {
      await savePolicy(tx, t, {
        remetente: sender_name,
        janela: send_window && toSendWindowConfig(send_window),
        maxPorLead24h: max,
        credor,
        prescricaoAnos: anos,
      });
    }
    if (pace) await setRateLimit(tx, t, pace.channel, pace.per_second, pace.max_recipients_24h);
    if (template) {
      const problems = await saveTemplateOverride(tx, t, {
        id: template.id,
        canal: template.channel,
        descricao: template.description,
        assunto: template.subject,
        corpo: template.body,
        html: template.html,
      });
      if (problems.length)
        throw new AppError('invalid_argument', `Template ${template.id} refused: ${problems.join('; ')}`);
    }
    limits = await dispatchLimits(tx, t, scope.clock.now());
    return loadPolicy(tx, scope.tenant);
  });
  // get_status reads the limits this call changed, not the ones this process read before it.
  if (input.pace) scope.server?.forgetLimits(t);
  const c = policy.credor;
  return {
    sender_name: policy.remetente,
    creditor: c && { legal_name: c.razao_social, tax_id: c.cnpj, address: c.endereco, contact: c.contato },
    prescription_years: policy.prescricaoAnos,
    send_window: fromSendWindowConfig(policy.janela),
    max_messages_per_lead_24h: policy.maxPorLead24h,
    limits,
  };
}

/** The creditor as stored; a CNPJ whose check digits fail is refused with what to fix. */
function toCreditor(c: z.infer<typeof creditor>): CreditorForTemplate {
  const short = Object.entries({ legal_name: 2, address: 10, contact: 5 }).find(
    ([k, min]) => c[k as keyof typeof c].length < min,
  );
  if (short)
    throw new AppError('invalid_argument', `creditor.${short[0]} is too short (at least ${short[1]} characters).`);
  const doc = normalizeDocument(c.tax_id);
  if (doc.documento_tipo !== 'cnpj' || !doc.documento_valido)
    throw new AppError(
      'invalid_argument',
      `creditor.tax_id "${c.tax_id}" is not a valid CNPJ (${doc.motivo_invalido ?? 'not 14 characters'}).`,
    );
  return { razao_social: c.legal_name, cnpj: doc.documento!, endereco: c.address, contato: c.contact };
}

/** The tool's send window (English fields) as the time module stores it. */
function toSendWindowConfig(w: SendWindow): SendWindowConfig {
  return {
    dias: w.days.map((d) => d && { inicio: d.start, fim: d.end }) as SendWindowConfig['dias'],
    respeitar_feriados: w.respect_holidays,
    ...(w.extra_holidays ? { feriados_extras: w.extra_holidays } : {}),
  };
}

function fromSendWindowConfig(c: SendWindowConfig): SendWindow {
  return {
    days: c.dias.map((d) => d && { start: d.inicio, end: d.fim }),
    respect_holidays: c.respeitar_feriados,
    ...(c.feriados_extras ? { extra_holidays: c.feriados_extras } : {}),
  };
}
