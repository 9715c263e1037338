/**
 * The sends-over-time chart of the campaign App, as browser JavaScript embedded in its HTML: an inline
 * SVG (no library, nothing fetched) with one point per timeline bucket for sent, a line for delivered,
 * a line for replies, marks for failures and the campaign's pace as a dashed limit line (pace × bucket seconds = the most
 * the pace lets out per bucket). Defines `window.campaignChart(report, fmt)`; `fmt` gives the number and
 * time formatters of the render script. No template literals or `${` inside (a TypeScript template string).
 */
export const VIEW_CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var W = 680, H = 240, M = { top: 16, right: 16, bottom: 34, left: 44 };

  function s(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function niceMax(v) {
    if (v <= 5) return 5;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }

  window.campaignChart = function (report, fmt) {
    var pts = report.timeline;
    var bucket = report.bucket_seconds || 60;
    var limit = report.pace_per_second ? report.pace_per_second * bucket : null;
    var t0 = Date.parse(pts[0].at);
    var t1 = Date.parse(pts[pts.length - 1].at) + bucket * 1000;
    var maxV = 0;
    pts.forEach(function (p) { maxV = Math.max(maxV, p.sent, p.delivered, p.failed, p.replied); });
    var top = niceMax(Math.max(maxV, limit || 0) * 1.1);
    var iw = W - M.left - M.right, ih = H - M.top - M.bottom;
    function x(ms) { return M.left + ((ms - t0) / Math.max(1, t1 - t0)) * iw; }
    function xc(p) { return x(Date.parse(p.at) + (bucket * 1000) / 2); }
    function y(v) { return M.top + ih - (v / top) * ih; }

    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', class: 'grafico', 'data-testid': 'linha-do-tempo' });
    svg.appendChild(s('title', {}, 'Envios por intervalo de ' + fmt.duration(bucket) + ' ao longo do tempo'));
    [0, top / 2, top].forEach(function (v) {
      svg.appendChild(s('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'grade' }));
      svg.appendChild(s('text', { x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'eixo' }, fmt.num(v)));
    });
    var spanDays = t1 - t0 > 20 * 3600 * 1000;
    var secs = bucket < 60;
    [t0, (t0 + t1) / 2, t1].forEach(function (t, i) {
      var anchor = i === 0 ? 'start' : i === 2 ? 'end' : 'middle';
      svg.appendChild(s('text', { x: x(t), y: H - 10, 'text-anchor': anchor, class: 'eixo' }, fmt.time(t, spanDays, secs)));
    });

    if (limit !== null) {
      var ly = y(limit);
      svg.appendChild(s('line', { x1: M.left, x2: W - M.right, y1: ly, y2: ly, class: 'ritmo', 'data-testid': 'linha-ritmo',
        'data-valor': limit }));
      svg.appendChild(s('text', { x: W - M.right, y: ly - 5, 'text-anchor': 'end', class: 'rotulo-ritmo' },
        'Ritmo máximo: ' + fmt.num(report.pace_per_second) + '/s = ' + fmt.num(limit) + ' por ' + fmt.duration(bucket)));
    }

    var delivered = pts.map(function (p) { return xc(p).toFixed(1) + ',' + y(p.delivered).toFixed(1); }).join(' ');
    svg.appendChild(s('polyline', { points: delivered, class: 'entregues' }));
    var replied = pts.map(function (p) { return xc(p).toFixed(1) + ',' + y(p.replied).toFixed(1); }).join(' ');
    svg.appendChild(s('polyline', { points: replied, class: 'respostas' }));
    var sent = pts.map(function (p) { return xc(p).toFixed(1) + ',' + y(p.sent).toFixed(1); }).join(' ');
    svg.appendChild(s('polyline', { points: sent, class: 'enviadas' }));

    pts.forEach(function (p) {
      var c = s('circle', { cx: xc(p), cy: y(p.sent), r: 2.6, class: 'ponto-enviadas', 'data-at': p.at, 'data-valor': p.sent });
      c.appendChild(s('title', {}, fmt.time(Date.parse(p.at), spanDays, secs) + ': ' + fmt.num(p.sent) + ' enviadas, ' +
        fmt.num(p.delivered) + ' entregues, ' + fmt.num(p.failed) + ' falhas, ' + fmt.num(p.replied) + ' respostas'));
      svg.appendChild(c);
      if (p.failed > 0)
        svg.appendChild(s('rect', { x: xc(p) - 3, y: y(p.failed) - 3, width: 6, height: 6, class: 'ponto-falhas',
          'data-valor': p.failed }));
    });
    return svg;
  };
})();
`;
