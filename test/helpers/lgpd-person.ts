import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { createEndpoint } from '../../src/http/webhooks/endpoints.js';
import { asOwner } from './tenant-seed.js';
import * as P from './webhook-payloads.js';

/** The person test/tools/lgpd-erase.test.ts erases: her own lead (CPF) and a company's she is the contact of. */
export const NAME = 'Marisa Quitéria Albuquerque';
export const CPF = '52998224725';
export const EMAIL = 'marisa.albuquerque@exemplo.com.br';
export const SHEET = [
  'Nome,Contato,CPF/CNPJ,Telefone,E-mail,Valor em aberto,Vencimento',
  `${NAME},,529.982.247-25,(11) 98765-4321,${EMAIL},"R$ 1.234,56",10/11/2026`,
  `Albuquerque Doces ME,${NAME},11.444.777/0001-61,(11) 98765-4321,${EMAIL},,`,
  'Outro Cliente Ltda,João Souza,12.345.678/0001-95,(21) 99876-5432,joao@outro.com.br,,',
].join('\n');

/** Every form her values take on the way in (as typed, digits, E.164, WhatsApp ids, formatted, JSON-escaped). */
export const FORMS = [
  NAME,
  'Quitéria',
  'Quit\\u00e9ria',
  'Albuquerque',
  CPF,
  '529.982.247-25',
  '11444777000161',
  '11.444.777/0001-61',
  '+5511987654321',
  '5511987654321',
  '551187654321',
  '11987654321',
  '98765-4321',
  EMAIL,
  'marisa.albuquerque',
];

/** "table.column: form" for every text, varchar, jsonb and array column of every table that holds a form. */
export async function clearTextHitsIn(db: Kysely<Database>, forms: readonly string[]): Promise<string[]> {
  const { rows: cols } = await sql<{ t: string; c: string }>`
    select table_name as t, column_name as c from information_schema.columns
    where table_schema = 'public' and (data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'character'))
    order by 1, 2`.execute(db);
  const hits: string[] = [];
  await asOwner(db, async (tx) => {
    for (const { t: table, c } of cols) {
      const { rows } = await sql<{ f: string }>`
        select f from unnest(${forms}::text[]) f
        where exists (select 1 from ${sql.table(table)} x where strpos(lower(x.${sql.ref(c)}::text), lower(f)) > 0)`.execute(
        tx,
      );
      hits.push(...rows.map((r) => `${table}.${c}: ${r.f}`));
    }
  });
  return hits;
}

/** A WhatsApp reply through a new signed WAHA webhook endpoint of the tenant, over real HTTP; the status code. */
export async function wahaReply(
  db: Kysely<Database>,
  tenantSlug: string,
  mcpUrl: string,
  m: { from: string; id: string; text: string; pushName: string },
): Promise<number> {
  const endpoint = await createEndpoint(db, { tenantSlug, provider: 'waha', secret: 'waha-key' });
  const ts = Date.now();
  const body = JSON.stringify(
    P.wahaEvent({
      id: `evt_${m.id}`,
      event: 'message',
      ts,
      payload: {
        id: `false_${m.from}_${m.id}`,
        timestamp: Math.floor(ts / 1000),
        from: m.from,
        fromMe: false,
        to: '5511900000000@c.us',
        body: m.text,
        hasMedia: false,
        _data: { notifyName: m.pushName },
      },
    }),
  );
  const res = await fetch(`${mcpUrl.replace(/\/mcp$/, '')}/webhooks/waha/${endpoint.endpoint_id}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-hmac': P.wahaSignature('waha-key', body),
      'x-webhook-hmac-algorithm': 'sha512',
      'x-webhook-timestamp': String(ts),
    },
  });
  return res.status;
}
