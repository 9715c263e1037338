/**
 * The View side of the MCP Apps protocol (ext-apps spec 2026-01-26), as browser JavaScript embedded in
 * the App's HTML: JSON-RPC 2.0 over postMessage with the host (window.parent).
 * - sends `ui/initialize` (appInfo, appCapabilities, protocolVersion), keeps the host context (theme,
 *   locale, time zone, style variables), then `ui/notifications/initialized`;
 * - renders `ui/notifications/tool-result` (the report tool's CallToolResult: structuredContent is a
 *   CampaignReport), notes `tool-input` / `tool-cancelled` / `host-context-changed`;
 * - answers the host's `ping` and `ui/resource-teardown`, refuses other requests (-32601);
 * - reports its height with `ui/notifications/size-changed` whenever it changes.
 * Written by hand instead of bundling the package's App class (~650 KB minified with its SDK and zod)
 * into every read of the resource; the protocol is checked against the package's own AppBridge in
 * headless Chromium (test/e2e/campaign-app.test.ts). Calls `window.renderCampaign(state)` (the render
 * script). No template literals or `${` inside: this is a TypeScript template string.
 */
export const VIEW_BRIDGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var PROTOCOL_VERSION = '2026-01-26';
  var state = { hostContext: {}, report: null, message: 'Aguardando os dados do relatório…', args: null };
  var nextId = 1;
  var pending = {};

  function post(msg) {
    window.parent.postMessage(msg, '*');
  }
  function notify(method, params) {
    post({ jsonrpc: '2.0', method: method, params: params || {} });
  }
  function request(method, params) {
    var id = nextId++;
    return new Promise(function (resolve, reject) {
      pending[id] = { resolve: resolve, reject: reject };
      post({ jsonrpc: '2.0', id: id, method: method, params: params });
    });
  }
  function respond(id, result) {
    post({ jsonrpc: '2.0', id: id, result: result });
  }
  function refuse(id, method) {
    post({ jsonrpc: '2.0', id: id, error: { code: -32601, message: 'Método não suportado: ' + method } });
  }

  function isReport(sc) {
    return !!sc && typeof sc === 'object' && !!sc.funnel && typeof sc.funnel.sent === 'number' &&
      Array.isArray(sc.timeline) && !!sc.scope;
  }
  // The report itself, or one level down (a result that carries the report beside other fields).
  function findReport(sc) {
    if (isReport(sc)) return sc;
    if (sc && typeof sc === 'object') for (var k in sc) if (isReport(sc[k])) return sc[k];
    return null;
  }
  function onToolResult(result) {
    var found = result && !result.isError ? findReport(result.structuredContent) : null;
    state.report = found;
    state.text = null;
    if (found) state.message = null;
    else if (result && result.isError) state.message = 'O relatório não pôde ser gerado: ' + firstText(result, 300);
    else {
      // Another kind of answer of the same tool (a list, not a funnel): its text, as clients without Apps show it.
      state.message = 'Este resultado não traz o funil de uma campanha; segue o texto da resposta.';
      state.text = firstText(result || {}, 4000);
    }
    render();
  }
  function firstText(result, max) {
    var c = (result.content || []).filter(function (b) { return b && b.type === 'text'; })[0];
    return c ? String(c.text).slice(0, max) : 'sem detalhes';
  }
  function render() {
    window.renderCampaign(state);
    reportSize();
  }

  var lastHeight = -1;
  function reportSize() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h === lastHeight) return;
    lastHeight = h;
    notify('ui/notifications/size-changed', { height: h });
  }

  function onNotification(m) {
    var p = m.params || {};
    if (m.method === 'ui/notifications/tool-result') onToolResult(p);
    else if (m.method === 'ui/notifications/tool-input') {
      state.args = p.arguments || null;
      if (!state.report) render();
    } else if (m.method === 'ui/notifications/tool-cancelled') {
      state.message = 'A consulta do relatório foi cancelada.';
      render();
    } else if (m.method === 'ui/notifications/host-context-changed') {
      for (var k in p) state.hostContext[k] = p[k];
      render();
    }
  }
  function onRequest(m) {
    if (m.method === 'ping' || m.method === 'ui/resource-teardown') respond(m.id, {});
    else refuse(m.id, m.method);
  }

  window.addEventListener('message', function (ev) {
    if (ev.source !== window.parent) return;
    var m = ev.data;
    if (!m || typeof m !== 'object' || m.jsonrpc !== '2.0') return;
    if (m.method === undefined && m.id !== undefined) {
      var waiting = pending[m.id];
      delete pending[m.id];
      if (!waiting) return;
      if (m.error) waiting.reject(new Error(m.error.message));
      else waiting.resolve(m.result || {});
    } else if (typeof m.method === 'string') {
      if (m.id !== undefined) onRequest(m);
      else onNotification(m);
    }
  });

  if (typeof ResizeObserver === 'function') new ResizeObserver(reportSize).observe(document.documentElement);
  render();
  request('ui/initialize', {
    appInfo: { name: 'agente-disparo-agenda-campanha', version: '1.0.0' },
    appCapabilities: { availableDisplayModes: ['inline', 'fullscreen'] },
    protocolVersion: PROTOCOL_VERSION,
  }).then(
    function (r) {
      state.hostContext = r.hostContext || {};
      render();
      notify('ui/notifications/initialized');
    },
    function (e) {
      state.message = 'O aplicativo não conseguiu se conectar ao cliente: ' + e.message;
      render();
    },
  );
})();
`;
