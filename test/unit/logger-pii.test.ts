import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPiiText } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { logger: createLogger('debug', dest as never), lines };
}

describe('PII masking in logs', () => {
  it.each([
    ['invalid recipient +5511987654321', 'invalid recipient [pii]'],
    ['whatsapp:+55 11 98765-4321 refused', 'whatsapp:[pii] refused'],
    ['to (11) 98765-4321 / (11) 3456-7890', 'to ([pii]) [pii]'],
    ['wa_id 551187654321 failed', 'wa_id [pii] failed'],
    ['11987654321', '[pii]'],
    ['Key (documento)=(04567890000179) already exists', 'Key (documento)=([pii]) already exists'],
    ['CNPJ 04.567.890/0001-79, CPF 123.456.789-09', 'CNPJ [pii], CPF [pii]'],
    ['mail to Contato@PaoQuente.com.br bounced', 'mail to [pii] bounced'],
    ['"a.b+c@x.com.br"', '"[pii]"'],
  ])('%s', (input, masked) => {
    expect(maskPiiText(input)).toBe(masked);
  });

  it.each([
    'job d7c4376b-6009-42b2-813e-05decc199dcc finished',
    'job 12345678-1234-1234-1234-123456789012 finished',
    'at 2026-11-25T10:00:00.000Z and on 2026-11-25',
    'listening on 127.0.0.1:3333, 192.168.100.200',
    'took 1500 ms, 1234567 rows',
    'at file:///app/dist/core/dispatch/executor.js:169:31',
    'version 1.32.2',
  ])('leaves %s alone', (input) => {
    expect(maskPiiText(input)).toBe(input);
  });

  it('scrubs every string of a log line, nested too, and still redacts PII keys', () => {
    const { logger, lines } = capture();
    logger.error(
      {
        err: {
          message: 'downstream said: 5511987654321 is not on WhatsApp',
          stack: 'Error: x@y.com.br\n at f (a.js:1:2)',
        },
        job_id: 'd7c4376b-6009-42b2-813e-05decc199dcc',
        detail: ['ana@x.com'],
        destino: 'anything',
      },
      'send failed',
    );
    const line = JSON.parse(lines[0]);
    expect(line.err.message).toBe('downstream said: [pii] is not on WhatsApp');
    expect(line.err.stack).toBe('Error: [pii]\n at f (a.js:1:2)');
    expect(line.detail).toEqual(['[pii]']);
    expect(line.destino).toBe('[pii]');
    expect(line.job_id).toBe('d7c4376b-6009-42b2-813e-05decc199dcc');
    expect(line.msg).toBe('send failed');
  });
});
