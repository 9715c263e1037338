import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY, registerAppResource } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/server';
import { appLabels } from './campaign-labels.js';
import { VIEW_BRIDGE_SCRIPT } from './campaign-view-bridge.js';
import { VIEW_CHART_SCRIPT } from './campaign-view-chart.js';
import { VIEW_RENDER_SCRIPT } from './campaign-view-render.js';
import { VIEW_STYLE } from './campaign-view-style.js';

/**
 * The campaign picture (issue 19 step 8): an MCP App (ext-apps, `ui://` resource served as
 * `text/html;profile=mcp-app`) that draws the report tool's CampaignReport — funnel, sends over time
 * against the pace, replies by class, blocked and failed by reason, per channel. Hosts that support
 * Apps (Claude, VS Code, ChatGPT, Cursor, …) read this resource when the tool that carries
 * CAMPAIGN_APP_TOOL_META returns, render it in a sandboxed iframe and hand it the tool's result; other
 * clients ignore the `_meta` and keep the tool's text. One self-contained HTML page: inline script,
 * style and SVG, nothing fetched (no CDN: hosts and users may be offline, and the default App CSP allows
 * no network), so the resource declares no CSP domains.
 */
export const CAMPAIGN_APP_URI = 'ui://agente-disparo-agenda/campanha.html';

/**
 * The `_meta` the report tool carries so that App hosts show this picture with its result: the
 * spec's `ui.resourceUri` and the older flat key `ui/resourceUri` that earlier hosts read (what
 * ext-apps' registerAppTool writes).
 */
export const CAMPAIGN_APP_TOOL_META = {
  ui: { resourceUri: CAMPAIGN_APP_URI },
  [RESOURCE_URI_META_KEY]: CAMPAIGN_APP_URI,
} as const;

/** Resource `_meta.ui` (listing and content): ask the host for a border; no network, no permissions. */
const RESOURCE_UI_META = { ui: { prefersBorder: true } };

let html: string | undefined;

/** The App's HTML page (built once: it depends on nothing but this code). */
export function campaignAppHtml(): string {
  html ??= [
    '<!doctype html>',
    '<html lang="pt-BR">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Quadro da campanha</title>',
    `<style>${VIEW_STYLE}</style>`,
    '</head>',
    '<body>',
    '<main id="app" aria-live="polite"></main>',
    `<script type="application/json" id="rotulos">${jsonForScript(appLabels())}</script>`,
    `<script>${VIEW_CHART_SCRIPT}</script>`,
    `<script>${VIEW_RENDER_SCRIPT}</script>`,
    `<script>${VIEW_BRIDGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
  ].join('\n');
  return html;
}

/** JSON inside a <script> element: no `<` (so no `</script>` or `<!--`) can end or change it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Registers the App's `ui://` resource (resources/list and resources/read). */
export function registerCampaignApp(server: McpServer): void {
  registerAppResource(
    server,
    'campaign_app',
    CAMPAIGN_APP_URI,
    {
      title: 'Quadro da campanha (MCP App)',
      description: "Picture of the report tool's result: funnel, sends vs pace, replies, blocked reasons",
      _meta: RESOURCE_UI_META,
    },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: RESOURCE_MIME_TYPE, text: campaignAppHtml(), _meta: RESOURCE_UI_META }],
    }),
  );
}
