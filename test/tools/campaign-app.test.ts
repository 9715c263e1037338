import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_APP_TOOL_META, CAMPAIGN_APP_URI } from '../../src/apps/campaign-app.js';
import { BLOCK_CODES } from '../../src/core/model/block-code.js';
import { REPLY_CLASSES } from '../../src/core/model/channel.js';
import type { ServerDeps } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps } from '../helpers/server.js';

/** The campaign App's ui:// resource through a real MCP client (its drawing: test/e2e/campaign-app.test.ts). */
describe(`campaign App resource (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Client & { closeAll(): Promise<void> };
  beforeAll(async () => {
    db = await openTestDb();
    deps = await makeDeps(db);
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('lists the ui:// resource with the MCP App mime type and asks for a border', async () => {
    const { resources } = await client.listResources();
    const app = resources.filter((r) => r.uri.startsWith('ui://'));
    expect(app.map((r) => [r.uri, r.mimeType])).toEqual([[CAMPAIGN_APP_URI, 'text/html;profile=mcp-app']]);
    expect(app[0]._meta).toEqual({ ui: { prefersBorder: true } });
    expect(app[0].title).toMatch(/campanha/i);
  });

  it('serves one self-contained pt-BR HTML page that loads nothing from the network', async () => {
    const read = await client.readResource({ uri: CAMPAIGN_APP_URI });
    expect(read.contents).toHaveLength(1);
    const c = read.contents[0] as { uri: string; mimeType: string; text: string; _meta?: unknown };
    expect(c.uri).toBe(CAMPAIGN_APP_URI);
    expect(c.mimeType).toBe('text/html;profile=mcp-app');
    expect(c._meta).toEqual({ ui: { prefersBorder: true } });
    expect(c.text.startsWith('<!doctype html>\n<html lang="pt-BR">')).toBe(true);
    // No external script, style, image, font or fetch: the default App CSP allows none, and users may be offline.
    expect(c.text).not.toMatch(/\b(?:src|href)\s*=|@import|url\(\s*['"]?https?:|fetch\(|XMLHttpRequest|WebSocket/);
    expect(c.text).toContain("'ui/initialize'");
    expect(c.text).toContain("'ui/notifications/tool-result'");
    expect(Buffer.byteLength(c.text)).toBeLessThan(40_000);
  });

  it('embeds a pt-BR label for every block code and reply class, as JSON that cannot close its script', async () => {
    const { contents } = await client.readResource({ uri: CAMPAIGN_APP_URI });
    const html = (contents[0] as { text: string }).text;
    const m = /<script type="application\/json" id="rotulos">([^<]*)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    const labels = JSON.parse(m![1]) as Record<string, Record<string, string>>;
    expect(Object.keys(labels.bloqueio).sort()).toEqual([...BLOCK_CODES].sort());
    expect(Object.keys(labels.resposta).sort()).toEqual([...REPLY_CLASSES].sort());
    expect(labels.falha['131026']).toBe('131026 · número sem WhatsApp');
    expect(labels.canal).toEqual({ whatsapp: 'WhatsApp', email: 'E-mail' });
  });

  it('gives the report tool the _meta that links it to the App (spec key and the flat key earlier hosts read)', () => {
    expect(CAMPAIGN_APP_TOOL_META).toEqual({
      ui: { resourceUri: CAMPAIGN_APP_URI },
      'ui/resourceUri': CAMPAIGN_APP_URI,
    });
    expect(Buffer.byteLength(JSON.stringify({ _meta: CAMPAIGN_APP_TOOL_META }))).toBeLessThan(400);
  });
});
