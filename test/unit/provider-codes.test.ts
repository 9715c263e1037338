/**
 * One table of provider codes (core/outreach/provider-codes.ts) for both moments a code arrives: at
 * send time (the Twilio reader) and after acceptance (a delivery status's failure code). Every Twilio
 * code reads to the same reason in the reader as in the table, and the after-acceptance meaning follows
 * from it.
 */
import { describe, expect, it } from 'vitest';
import { readAnswer } from '../../src/channels/readers.js';
import { failureMeaning } from '../../src/core/inbound/failure-codes.js';
import { providerAction, TWILIO_CODES, WHATSAPP_CLOUD_CODES } from '../../src/core/outreach/provider-codes.js';

const meaningOf = (reason: string) =>
  reason === 'bad_destination' || reason === 'not_whatsapp_user'
    ? 'destino_invalido'
    : reason === 'opted_out'
      ? 'parou'
      : 'outro';

describe('provider codes: one meaning at send time and after acceptance', () => {
  it('the Twilio reader reads every code of the table to the table reason', () => {
    for (const [code, reason] of Object.entries(TWILIO_CODES)) {
      const body = { code: Number(code), message: 'x', more_info: '', status: 400 };
      const r = readAnswer('twilio', {
        kind: 'error',
        code: -32603,
        message: `MCP error -32603: ${JSON.stringify(body)}`,
      });
      expect(
        r.kind === 'refused_permanently' || r.kind === 'refused_transiently',
        `${code}: ${JSON.stringify(r)}`,
      ).toBe(true);
      expect({ code, reason: (r as { reason: string }).reason }).toEqual({ code, reason });
    }
  });

  it('a failure status means what the same code means at send time', () => {
    for (const [code, reason] of Object.entries({ ...TWILIO_CODES, ...WHATSAPP_CLOUD_CODES }))
      expect({ code, meaning: failureMeaning(code) }).toEqual({ code, meaning: meaningOf(reason) });
    expect(['131026', '63003', '63024', '21211', '30005', '30006'].map(failureMeaning)).toEqual(
      Array(6).fill('destino_invalido'),
    );
    expect(failureMeaning('21610')).toBe('parou');
    // 131050 stops marketing only: its action (provider-actions.ts), not a suppression of every message.
    expect(failureMeaning('131050')).toBe('outro');
    expect(providerAction('131050')).toEqual({ kind: 'suppress_marketing' });
    expect([null, '99999', '63016'].map(failureMeaning)).toEqual(['outro', 'outro', 'outro']);
  });
});
