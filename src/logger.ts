import pino from 'pino';
import type { Logger } from './core/ports.js';

// Keys that may carry personal data. Values under them are replaced in every log line; code also
// masks before logging, this is the net under it.
const PII_PATHS = [
  'telefone',
  'telefones',
  'phone',
  'email',
  'emails',
  'documento',
  'destino',
  'to',
  'from',
  'text',
  'conteudo',
  'nome',
  'contato_nome',
  'authorization',
  'token',
].flatMap((k) => [k, `*.${k}`]);

/** pino writing to stderr only: in stdio mode stdout carries nothing but JSON-RPC. */
export function createLogger(
  level = 'info',
  destination: pino.DestinationStream = pino.destination({ fd: 2, sync: true }),
): Logger {
  return pino(
    {
      level,
      base: { svc: 'agente-disparo-agenda' },
      redact: { paths: PII_PATHS, censor: '[pii]' },
      // The second net: error messages from the database or a downstream server can quote a value
      // ("invalid recipient +5511987654321"), under any key. Every string is scrubbed by pattern.
      formatters: { log: (obj) => scrubPii(obj, 0) as Record<string, unknown> },
    },
    destination,
  ) as unknown as Logger;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
// A run of 8–14 digits, optionally with +, spaces, dots, dashes, slashes or parentheses between them
// (phones in every format, CPF/CNPJ formatted or not), not part of a longer word or id.
const DIGIT_RUN = /(?<![\w.\-/])\+?\d[\d\s().\-/]{6,22}\d(?![\w\-/]|\.\d)/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Masks e-mails, phones and CPF/CNPJ in one string: `ligar +55 11 98765-4321` → `ligar [pii]`. */
export function maskPiiText(s: string): string {
  return s.replace(EMAIL, '[pii]').replace(DIGIT_RUN, (m) => {
    const digits = m.replace(/\D/g, '').length;
    return digits < 8 || digits > 14 || ISO_DATE.test(m) || IPV4.test(m) ? m : '[pii]';
  });
}

function scrubPii(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return maskPiiText(v);
  if (depth > 6 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => scrubPii(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = scrubPii(x, depth + 1);
  return out;
}
