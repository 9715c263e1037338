import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignReport } from '../../src/core/model/report.js';
import { startAppHost, type AppHost } from '../helpers/app-host.js';
import { cleanEnv, MAIN, ROOT, tempDir } from '../helpers/spawn.js';

/**
 * The campaign picture (MCP App) in a real headless Chromium (Debian's `chromium`, installed by
 * .ci/run): the App's HTML as the built server serves it over stdio to a real MCP client, embedded by a
 * host page that speaks the ext-apps protocol with the package's own AppBridge, fed the recorded report
 * (test/fixtures/reports/campaign-report.json) as the report tool's result. It must draw the numbers,
 * log no console error, fetch nothing, and leave a screenshot in artifacts/ (kept by CI).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'artifacts');
const report = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/reports/campaign-report.json'), 'utf8'),
) as CampaignReport;
const toolResult = {
  content: [{ type: 'text', text: 'Funil da campanha reativacao-clinicas-dez (resumo em texto).' }],
  structuredContent: report,
};

/** The App's resource as the built server lists and serves it (stdio, real client). */
async function readAppFromServer(): Promise<{ uri: string; mimeType?: string; html: string }> {
  const client = new Client({ name: 'e2e-app-host', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [MAIN],
      env: cleanEnv({ AGENTE_DATA_DIR: tempDir('app-') }) as Record<string, string>,
      stderr: 'pipe',
    }),
  );
  try {
    const { resources } = await client.listResources();
    const app = resources.find((r) => r.uri.startsWith('ui://'));
    expect(app, 'a ui:// resource in resources/list').toBeDefined();
    const read = await client.readResource({ uri: app!.uri });
    const content = read.contents[0] as { uri: string; mimeType?: string; text: string };
    return { uri: content.uri, mimeType: content.mimeType, html: content.text };
  } finally {
    await client.close();
  }
}

describe('campaign App in headless Chromium', () => {
  let browser: Browser;
  let host: AppHost;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (apt-get install chromium; .ci/run does)`).toBe(true);
    const app = await readAppFromServer();
    expect(app.mimeType).toBe('text/html;profile=mcp-app');
    host = await startAppHost(app.html, { campaign_key: report.scope.campaign_key }, toolResult);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 860, height: 900 }, locale: 'pt-BR' });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(host.url);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  const app = () => page.frameLocator('iframe').locator('#app');

  it('initializes over the ext-apps protocol and draws the funnel from the tool result', async () => {
    await expect.poll(() => app().getAttribute('data-pronto'), { timeout: 20_000 }).toBe('1');
    const log = (await page.evaluate('window.host.log')) as Array<Record<string, any>>;
    const init = log.find((e) => e.event === 'initialized');
    expect(init?.app?.name).toBe('agente-disparo-agenda-campanha');
    expect(log.some((e) => e.event === 'result-sent')).toBe(true);

    const f = report.funnel;
    const expected: Record<string, number> = {
      queued: f.queued,
      sent: f.sent,
      delivered: f.delivered,
      read: f.read,
      replied: f.replied,
      booked: f.meetings.booked,
    };
    for (const [step, value] of Object.entries(expected)) {
      const row = app().locator(`[data-testid="funil-${step}"]`);
      expect(await row.getAttribute('data-valor'), step).toBe(String(value));
      expect(await row.locator('.valor').textContent(), step).toBe(String(value));
    }
    await expect.poll(() => app().locator('h1').textContent()).toBe('Campanha reativacao-clinicas-dez');
    expect(await app().locator('header .sub').textContent()).toBe(
      '01/12/2026, 10:00 até 11:00 · modelo reativacao_clinicas_v2 · todos os canais',
    );
    const text = (await app().textContent()) ?? '';
    for (const words of ['Enviadas', 'Entregues', 'Responderam', 'Reuniões marcadas', 'Bloqueados por motivo'])
      expect(text).toContain(words);
    expect(await app().locator('[data-testid="cartao-bloqueados"]').getAttribute('data-valor')).toBe('15');
    expect(await app().locator('[data-testid="cartao-falhas"] strong').textContent()).toBe(String(f.failed));
  });

  it('draws one timeline point per bucket and the pace as the limit line', async () => {
    const points = app().locator('svg[data-testid="linha-do-tempo"] circle.ponto-enviadas');
    expect(await points.count()).toBe(report.timeline.length);
    const values = await points.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-valor'))));
    expect(values).toEqual(report.timeline.map((p) => p.sent));
    const pace = app().locator('[data-testid="linha-ritmo"]');
    expect(Number(await pace.getAttribute('data-valor'))).toBe(report.pace_per_second! * report.bucket_seconds);
    // The pace line sits at or above every point: y grows downwards.
    const paceY = Number(await pace.getAttribute('y1'));
    const ys = await points.evaluateAll((els) => els.map((e) => Number(e.getAttribute('cy'))));
    for (const y of ys) expect(y).toBeGreaterThanOrEqual(paceY - 0.01);
    expect(await app().locator('svg .ponto-falhas').count()).toBe(report.timeline.filter((p) => p.failed > 0).length);
  });

  it('lists replies by class, blocked and failed by reason, in pt-BR words, and the channels', async () => {
    const items = async (id: string) =>
      app()
        .locator(`[data-testid="${id}"] .item`)
        .evaluateAll((els) =>
          els.map((e) => [
            e.getAttribute('data-chave'),
            Number(e.getAttribute('data-valor')),
            e.querySelector('.nome')!.textContent,
          ]),
        );
    const replies = await items('respostas');
    expect(Object.fromEntries(replies.map(([k, v]) => [k, v]))).toEqual(report.funnel.replied_by_class);
    expect(replies.find(([k]) => k === 'opt_out')?.[2]).toBe('Opt-out (pediu para sair)');
    const blocked = await items('bloqueados');
    expect(Object.fromEntries(blocked.map(([k, v]) => [k, v]))).toEqual(report.blocked_by_reason);
    expect(blocked[0]).toEqual(['sem_canal', 6, 'Sem telefone ou e-mail válido']);
    const failed = await items('falhas');
    expect(Object.fromEntries(failed.map(([k, v]) => [k, v]))).toEqual(report.funnel.failed_by_reason);
    expect(failed.find(([k]) => k === '131026')?.[2]).toBe('131026 · número sem WhatsApp');
    const channels = await app()
      .locator('[data-testid="por-canal"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-canal'), r.querySelectorAll('td')[1].textContent]));
    expect(channels).toEqual([
      ['whatsapp', String(report.by_channel.whatsapp.sent)],
      ['email', String(report.by_channel.email.sent)],
    ]);
  });

  it('fits its iframe to its height, fetches nothing, logs no error, and leaves a screenshot', async () => {
    const log = (await page.evaluate('window.host.log')) as Array<Record<string, any>>;
    const heights = log.filter((e) => e.event === 'size').map((e) => e.height as number);
    expect(Math.max(...heights)).toBeGreaterThan(600);
    expect(await page.locator('iframe').evaluate((e) => e.clientHeight)).toBe(heights[heights.length - 1]);
    expect(host.requests.filter((p) => p !== '/favicon.ico').sort()).toEqual(['/', '/app.html', '/ext-apps-bridge.js']);
    mkdirSync(ARTIFACTS, { recursive: true });
    // Chromium paints an iframe only inside the viewport: make the viewport as tall as the page.
    const full = (await page.evaluate('document.documentElement.scrollHeight')) as number;
    await page.setViewportSize({ width: 860, height: full });
    const png = join(ARTIFACTS, 'campaign-app.png');
    await page.screenshot({ path: png, fullPage: true });
    expect(statSync(png).size).toBeGreaterThan(20_000);
    expect(errors).toEqual([]);
  });

  it('follows a host theme change; shows failed, non-funnel, hostile and empty results safely; answers teardown', async () => {
    await page.evaluate("window.host.changeContext({ theme: 'dark' })");
    await expect.poll(() => page.frameLocator('iframe').locator('html').getAttribute('data-tema')).toBe('escuro');
    await page.screenshot({ path: join(ARTIFACTS, 'campaign-app-escuro.png'), fullPage: true });
    await page.evaluate(
      "window.host.sendResult({ isError: true, content: [{ type: 'text', text: 'Campanha xyz não encontrada' }] })",
    );
    await expect
      .poll(() => app().locator('[data-testid="aviso"]').textContent())
      .toBe('O relatório não pôde ser gerado: Campanha xyz não encontrada');
    // Another kind of answer of the report tool (no funnel): its text instead of a picture.
    const list = {
      content: [{ type: 'text', text: 'campanha | enviadas\nreativacao | 178' }],
      structuredContent: { campaigns: [] },
    };
    await page.evaluate((r) => (window as any).host.sendResult(r), list);
    await expect
      .poll(() => app().locator('[data-testid="texto"]').textContent())
      .toBe('campanha | enviadas\nreativacao | 178');
    // A result that carries the report beside other fields is drawn.
    await page.evaluate(
      (r) => (window as any).host.sendResult({ content: [], structuredContent: { kind: 'funnel', report: r } }),
      report,
    );
    await expect.poll(() => app().getAttribute('data-pronto')).toBe('1');
    // Values from people's data are text, never markup.
    const evil = '<img src=x onerror="console.error(1)">';
    const hostile = { ...report, scope: { ...report.scope, campaign_key: evil }, blocked_by_reason: { [evil]: 1 } };
    await page.evaluate((r) => (window as any).host.sendResult({ content: [], structuredContent: r }), hostile);
    await expect.poll(() => app().locator('h1').textContent()).toBe(`Campanha ${evil}`);
    expect(await app().locator('[data-testid="bloqueados"] .nome').textContent()).toBe(evil);
    expect(await app().locator('img').count()).toBe(0);
    // A report with nothing yet (a dry run, no pace): empty states instead of a chart, still no error.
    const zero = { ...report.funnel, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, replied: 0, opted_out: 0 };
    const empty = {
      ...report,
      funnel: { ...zero, replied_by_class: {}, failed_by_reason: {}, meetings: { ...zero.meetings, booked: 0 } },
      by_channel: {},
      timeline: [],
      pace_per_second: null,
      blocked_by_reason: {},
    };
    await page.evaluate((r) => (window as any).host.sendResult({ content: [], structuredContent: r }), empty);
    await expect
      .poll(() => app().locator('[data-testid="secao-tempo"] .vazio').textContent())
      .toBe('Sem envios no período.');
    expect(await app().locator('[data-testid="bloqueados"] .vazio').textContent()).toBe('Nenhum lead bloqueado.');
    expect(await app().locator('[data-testid="funil-sent"]').getAttribute('data-valor')).toBe('0');
    expect(await page.evaluate('window.host.teardown()')).toEqual({});
    expect(host.requests.filter((p) => p !== '/favicon.ico')).toHaveLength(3);
    expect(errors).toEqual([]);
  });
});
