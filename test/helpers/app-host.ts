import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { ROOT } from './spawn.js';

/**
 * A minimal MCP Apps host for a browser test: a loopback web page that embeds an App's HTML the way
 * hosts do — in an iframe sandboxed to `allow-scripts` (an opaque origin, no access to the host page),
 * served with the spec's default Content-Security-Policy for a resource that declares no domains (no
 * network, inline script/style only) — and talks to it with the ext-apps package's own AppBridge over
 * its PostMessageTransport: ui/initialize with a host context (pt-BR, São Paulo, light theme), then the
 * tool's input and result as notifications, size changes applied to the iframe, teardown at the end.
 * The host page's script exposes `window.host` for the test (log, context change, teardown).
 */
export const DEFAULT_APP_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "media-src 'self' data:",
  "connect-src 'none'",
  "frame-src 'none'",
  "base-uri 'self'",
].join('; ');

export interface AppHost {
  url: string;
  /** Every path the pages asked for (the App must fetch nothing). */
  requests: string[];
  close(): Promise<void>;
}

/** The AppBridge + PostMessageTransport of @modelcontextprotocol/ext-apps/app-bridge, bundled for the page. */
async function bridgeBundle(): Promise<string> {
  const out = await build({
    stdin: {
      contents:
        "import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';\n" +
        'window.ExtApps = { AppBridge, PostMessageTransport };',
      resolveDir: ROOT,
      loader: 'js',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

const HOST_SCRIPT = String.raw`
(async function () {
  var X = window.ExtApps;
  var toolResult = JSON.parse(document.getElementById('tool-result').textContent);
  var toolInput = JSON.parse(document.getElementById('tool-input').textContent);
  var log = [];
  var iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.setAttribute('title', 'MCP App');
  iframe.style.cssText = 'width:800px;height:200px;border:1px solid #ccc;border-radius:8px;display:block';
  document.body.appendChild(iframe);
  var bridge = new X.AppBridge(null, { name: 'host-de-teste', version: '1.0.0' }, { openLinks: {}, logging: {} }, {
    hostContext: {
      theme: 'light', locale: 'pt-BR', timeZone: 'America/Sao_Paulo', displayMode: 'inline',
      availableDisplayModes: ['inline'], platform: 'web', containerDimensions: { width: 800, maxHeight: 6000 },
      toolInfo: { tool: { name: 'report', inputSchema: { type: 'object' } } },
    },
  });
  bridge.onsizechange = function (p) {
    log.push({ event: 'size', height: p.height });
    if (p.height) iframe.style.height = p.height + 'px';
  };
  bridge.oninitialized = function () {
    log.push({ event: 'initialized', app: bridge.getAppVersion(), caps: bridge.getAppCapabilities() });
    bridge.sendToolInput({ arguments: toolInput })
      .then(function () { return bridge.sendToolResult(toolResult); })
      .then(function () { log.push({ event: 'result-sent' }); });
  };
  await bridge.connect(new X.PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.src = '/app.html';
  window.host = {
    log: log,
    changeContext: function (ctx) { return bridge.sendHostContextChange(ctx); },
    sendResult: function (r) { return bridge.sendToolResult(r); },
    teardown: function () { return bridge.teardownResource({}); },
  };
})();
`;

function hostPage(toolInput: unknown, toolResult: unknown): string {
  const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
  return [
    '<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>host</title></head>',
    '<body style="margin:0;padding:16px;background:#e9ebef;font-family:sans-serif">',
    `<script type="application/json" id="tool-input">${json(toolInput)}</script>`,
    `<script type="application/json" id="tool-result">${json(toolResult)}</script>`,
    '<script src="/ext-apps-bridge.js"></script>',
    `<script>${HOST_SCRIPT}</script>`,
    '</body></html>',
  ].join('\n');
}

/** Serves the host page, the bundled AppBridge and the App (`appHtml`, as read from the server) on loopback. */
export async function startAppHost(appHtml: string, toolInput: unknown, toolResult: unknown): Promise<AppHost> {
  const bundle = await bridgeBundle();
  const page = hostPage(toolInput, toolResult);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (req.url === '/ext-apps-bridge.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else if (req.url === '/app.html') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': DEFAULT_APP_CSP })
        .end(appHtml);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
