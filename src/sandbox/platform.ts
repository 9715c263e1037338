import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BUILTIN_TEMPLATES } from '../core/templates/index.js';
import { digitsOnly } from './config.js';

/**
 * The WhatsApp Business Platform's rules, as the sandbox WhatsApp server enforces them (on by default;
 * SANDBOX_PLATFORM_RULES=off turns them off). Each refusal is the Cloud API's own error body
 * (code, title, details), so the readers map it as they would the real platform's:
 *
 * - free text (no `template`) outside the 24-h customer-service window → 131047. The window opens when
 *   that number wrote to the sandbox (its inbox: simulate_reply / SANDBOX_INBOX);
 * - a template not in the catalogue (name + language) → 132001; a paused one → 132015; a parameter
 *   count that differs from the template's → 132000. The catalogue is SANDBOX_TEMPLATES (a JSON file:
 *   [{name, language, status?, params}]), by default the builtin WhatsApp templates, approved;
 * - numbers that are not WhatsApp users, deterministic by number: the digits end in 13102xxx → 131026
 *   at once; in 13103xxx → accepted, then a `failed` status with 131026 (as the platform may answer);
 * - the pair rate: one message per SANDBOX_PAIR_RATE_MS (default 6000; 0 = off) per recipient → 131056.
 */

export interface CatalogueTemplate {
  name: string;
  language: string;
  status: 'approved' | 'paused' | 'rejected' | 'disabled';
  params: number;
}

export interface PlatformConfig {
  on: boolean;
  pairRateMs: number;
  templates: CatalogueTemplate[];
}

const NOT_WHATSAPP = /13102\d{3}$/;
const NOT_WHATSAPP_LATER = /13103\d{3}$/;
export const WINDOW_MS = 24 * 3600 * 1000;

export function builtinCatalogue(): CatalogueTemplate[] {
  return [...BUILTIN_TEMPLATES.values()].flatMap((t) =>
    t.whatsapp
      ? [
          {
            name: t.whatsapp.nome_aprovado,
            language: t.whatsapp.idioma,
            status: 'approved' as const,
            params: t.whatsapp.parametros.length,
          },
        ]
      : [],
  );
}

function readCatalogue(path: string): CatalogueTemplate[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(raw)) throw new Error(`SANDBOX_TEMPLATES (${path}) must hold a JSON array of templates`);
  return raw.map((t: Record<string, unknown>, i) => {
    if (typeof t?.name !== 'string' || typeof t.language !== 'string')
      throw new Error(`SANDBOX_TEMPLATES item ${i}: needs "name" and "language" (e.g. "pt_BR")`);
    const params = Array.isArray(t.params) ? t.params.length : Number(t.params ?? 0);
    const status = (t.status ?? 'approved') as CatalogueTemplate['status'];
    if (!['approved', 'paused', 'rejected', 'disabled'].includes(status))
      throw new Error(`SANDBOX_TEMPLATES item ${i}: status must be approved, paused, rejected or disabled`);
    return { name: t.name, language: t.language, status, params };
  });
}

export function readPlatformConfig(env: NodeJS.ProcessEnv): PlatformConfig {
  const rules = env.SANDBOX_PLATFORM_RULES?.trim().toLowerCase();
  const on = !(rules === 'off' || rules === '0' || rules === 'false' || rules === 'no');
  const pair = env.SANDBOX_PAIR_RATE_MS?.trim();
  if (pair && !/^\d+$/.test(pair))
    throw new Error(`SANDBOX_PAIR_RATE_MS must be a non-negative integer, got "${pair}"`);
  const file = env.SANDBOX_TEMPLATES?.trim();
  return { on, pairRateMs: pair ? Number(pair) : 6000, templates: file ? readCatalogue(file) : builtinCatalogue() };
}

const ERRORS = {
  131026: [
    'Message Undeliverable',
    'Unable to deliver message: the recipient phone number is not a WhatsApp phone number.',
  ],
  131047: [
    'Re-engagement message',
    'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  ],
  131056: [
    '(Business Account, Consumer Account) pair rate limit hit',
    'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
  ],
  132000: [
    'Number of parameters does not match the expected number of params',
    'The number of variable parameter values included in the request did not match the number defined in the template.',
  ],
  132001: [
    'Template does not exist',
    'The template does not exist in the specified language or the template has not been approved.',
  ],
  132015: ['Template is Paused', 'Template is paused due to low quality so it cannot be sent in a template message.'],
} as const;
export type PlatformCode = keyof typeof ERRORS;

/** The Cloud API's error body for a code, as JSON text (what the tool answers, isError). */
export function cloudError(code: PlatformCode, detail?: string): string {
  const [title, details] = ERRORS[code];
  const fbtrace = createHash('sha256').update(`${code}${Date.now()}${Math.random()}`).digest('base64url').slice(0, 22);
  return JSON.stringify({
    error: {
      message: `(#${code}) ${title}`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details: detail ?? details },
      fbtrace_id: fbtrace,
    },
  });
}

export interface SendArgs {
  to: string;
  template?: string;
  template_language?: string;
  template_params?: string[];
}

export interface PlatformState {
  /** When this WhatsApp id last wrote to us (ms), from the inbox. */
  lastInbound(waId: string): number | undefined;
  /** When we last sent to this WhatsApp id (ms), from the record. */
  lastSent(waId: string): number | undefined;
}

/** The Cloud API code a send is refused with, or undefined when the platform would accept it. */
export function refusal(
  cfg: PlatformConfig,
  a: SendArgs,
  waId: string,
  now: number,
  s: PlatformState,
): string | undefined {
  if (!cfg.on) return undefined;
  if (NOT_WHATSAPP.test(digitsOnly(a.to))) return cloudError(131026);
  if (a.template === undefined) {
    const last = s.lastInbound(waId);
    if (last === undefined || now - last > WINDOW_MS) return cloudError(131047);
  } else {
    const lang = a.template_language ?? 'pt_BR';
    const t = cfg.templates.find((x) => x.name === a.template && x.language === lang);
    if (!t || t.status === 'rejected' || t.status === 'disabled')
      return cloudError(132001, `Template name "${a.template}" does not exist in ${lang}, or is not approved.`);
    if (t.status === 'paused') return cloudError(132015);
    const n = a.template_params?.length ?? 0;
    if (n !== t.params) return cloudError(132000, `The template expects ${t.params} parameters; ${n} were given.`);
  }
  const sent = s.lastSent(waId);
  if (cfg.pairRateMs > 0 && sent !== undefined && now - sent < cfg.pairRateMs) return cloudError(131056);
  return undefined;
}

/** Whether the platform accepts this send now and fails it later with 131026. */
export const failsLater = (cfg: PlatformConfig, to: string) => cfg.on && NOT_WHATSAPP_LATER.test(digitsOnly(to));
