import pino from 'pino';
import type { Logger } from './core/ports.js';

// Keys that may carry personal data. Values under them are replaced in every log line; code also
// masks before logging, this is the net under it.
const PII_PATHS = [
  'telefone', 'telefones', 'phone', 'email', 'emails', 'documento', 'destino', 'to', 'from', 'text',
  'conteudo', 'nome', 'contato_nome', 'authorization', 'token',
].flatMap((k) => [k, `*.${k}`]);

/** pino writing to stderr only: in stdio mode stdout carries nothing but JSON-RPC. */
export function createLogger(level = 'info'): Logger {
  return pino(
    { level, base: { svc: 'agente-disparo-agenda' }, redact: { paths: PII_PATHS, censor: '[pii]' } },
    pino.destination({ fd: 2, sync: true }),
  ) as unknown as Logger;
}
