/**
 * The campaign App's page, as browser JavaScript embedded in its HTML: `window.renderCampaign(state)`
 * draws a CampaignReport (src/core/model/report.ts) — funnel, sends over time against the pace
 * (campaign-view-chart.ts), replies by class, blocked by reason, failures by reason, per channel — in
 * pt-BR, with the host's locale / time zone when it gives them. Every value goes in as text
 * (textContent, setAttribute): nothing from the report is parsed as HTML. No template literals or `${`
 * inside (a TypeScript template string).
 */
export const VIEW_RENDER_SCRIPT = String.raw`
(function () {
  'use strict';
  var LABELS = JSON.parse(document.getElementById('rotulos').textContent);
  var root = document.getElementById('app');

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, String(attrs[k]));
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function formatters(ctx) {
    var locale = ctx.locale || 'pt-BR';
    var tz = ctx.timeZone || 'America/Sao_Paulo';
    try {
      new Intl.DateTimeFormat(locale, { timeZone: tz });
    } catch (e) {
      // A locale or zone this browser does not know: Brazilian defaults rather than a blank page.
      locale = 'pt-BR';
      tz = 'America/Sao_Paulo';
    }
    var nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    var pf = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    function dtf(opts) {
      var o = { timeZone: tz };
      for (var k in opts) o[k] = opts[k];
      return new Intl.DateTimeFormat(locale, o);
    }
    var hm = dtf({ hour: '2-digit', minute: '2-digit' });
    var hms = dtf({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
    var dm = dtf({ day: '2-digit', month: '2-digit' });
    var day = dtf({ day: '2-digit', month: '2-digit', year: 'numeric' });
    return {
      num: function (v) { return nf.format(v); },
      pct: function (a, b) { return b > 0 ? pf.format(a / b) : '—'; },
      // withDay: the series spans days; withSeconds: its buckets are shorter than a minute.
      time: function (ms, withDay, withSeconds) {
        var d = new Date(ms);
        var t = (withSeconds ? hms : hm).format(d);
        return withDay ? dm.format(d) + ' ' + t : t;
      },
      range: function (fromIso, toIso) {
        var a = new Date(fromIso), b = new Date(toIso);
        var f = b - a < 600000 ? hms : hm;
        if (day.format(a) === day.format(b)) return day.format(a) + ', ' + f.format(a) + ' até ' + f.format(b);
        return day.format(a) + ', ' + f.format(a) + ' até ' + day.format(b) + ', ' + f.format(b);
      },
      duration: function (sec) {
        if (sec % 86400 === 0) return sec === 86400 ? 'dia' : nf.format(sec / 86400) + ' dias';
        if (sec % 3600 === 0) return sec === 3600 ? 'hora' : nf.format(sec / 3600) + ' h';
        if (sec % 60 === 0) return sec === 60 ? 'minuto' : nf.format(sec / 60) + ' min';
        return sec === 1 ? 'segundo' : nf.format(sec) + ' s';
      },
    };
  }
  function label(group, key) {
    return (LABELS[group] && LABELS[group][key]) || key;
  }

  function header(r, fmt) {
    var sc = r.scope;
    var title = sc.campaign_key ? 'Campanha ' + sc.campaign_key : 'Relatório de envios';
    var bits = [fmt.range(sc.from, sc.to)];
    if (sc.template) bits.push('modelo ' + sc.template);
    bits.push(sc.channel ? 'canal ' + label('canal', sc.channel) : 'todos os canais');
    return el('header', {}, [el('h1', { text: title }), el('p', { class: 'sub', text: bits.join(' · ') })]);
  }

  function funnel(r, fmt) {
    var f = r.funnel;
    var steps = [
      ['queued', 'Na fila', f.queued], ['sent', 'Enviadas', f.sent], ['delivered', 'Entregues', f.delivered],
      ['read', 'Lidas', f.read], ['replied', 'Responderam', f.replied], ['booked', 'Reuniões marcadas', f.meetings.booked],
    ];
    var max = Math.max.apply(null, steps.map(function (s) { return s[2]; }).concat([1]));
    var rows = steps.map(function (s) {
      var bar = el('span', { class: 'barra' });
      bar.style.width = (s[2] > 0 ? Math.max(1, (100 * s[2]) / max) : 0) + '%';
      return el('div', { class: 'etapa', 'data-testid': 'funil-' + s[0], 'data-valor': s[2] }, [
        el('span', { class: 'nome', text: s[1] }),
        el('span', { class: 'trilho' }, [bar]),
        el('strong', { class: 'valor', text: fmt.num(s[2]) }),
        el('span', { class: 'pct', text: s[0] === 'queued' || s[0] === 'sent' ? '' : fmt.pct(s[2], f.sent) + ' das enviadas' }),
      ]);
    });
    return section('Funil', 'funil', rows);
  }

  function cards(r, fmt) {
    var f = r.funnel, m = f.meetings;
    var blocked = sum(r.blocked_by_reason);
    function card(id, name, value, note) {
      return el('div', { class: 'cartao', 'data-testid': id, 'data-valor': value }, [
        el('span', { class: 'nome', text: name }), el('strong', { text: fmt.num(value) }),
        note ? el('span', { class: 'nota', text: note }) : null,
      ]);
    }
    return el('div', { class: 'cartoes' }, [
      card('cartao-bloqueados', 'Bloqueados', blocked, 'não entraram na fila'),
      card('cartao-falhas', 'Falhas', f.failed, fmt.pct(f.failed, f.queued) + ' da fila'),
      card('cartao-optout', 'Opt-out', f.opted_out, 'pediram para não receber'),
      card('cartao-reunioes', 'Reuniões marcadas', m.booked, 'confirmadas ' + fmt.num(m.confirmed) + ' · realizadas ' +
        fmt.num(m.held) + ' · faltaram ' + fmt.num(m.no_show) + ' · canceladas ' + fmt.num(m.cancelled)),
    ]);
  }

  function sum(obj) {
    var t = 0;
    for (var k in obj || {}) t += obj[k];
    return t;
  }
  function bars(id, title, obj, group, fmt, empty) {
    var entries = Object.keys(obj || {}).map(function (k) { return [k, obj[k]]; }).filter(function (e) { return e[1] > 0; });
    entries.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
    if (entries.length === 0) return section(title, id, [el('p', { class: 'vazio', text: empty })]);
    var max = entries[0][1];
    return section(title, id, entries.map(function (e) {
      var bar = el('span', { class: 'barra' });
      bar.style.width = (100 * e[1]) / max + '%';
      return el('div', { class: 'item', 'data-chave': e[0], 'data-valor': e[1] }, [
        el('span', { class: 'nome', text: label(group, e[0]), title: e[0] }),
        el('span', { class: 'trilho' }, [bar]),
        el('strong', { class: 'valor', text: fmt.num(e[1]) }),
      ]);
    }));
  }

  function channels(r, fmt) {
    var keys = Object.keys(r.by_channel || {});
    if (keys.length === 0) return null;
    var cols = [['Na fila', 'queued'], ['Enviadas', 'sent'], ['Entregues', 'delivered'], ['Lidas', 'read'],
      ['Responderam', 'replied'], ['Falhas', 'failed'], ['Reuniões', null]];
    var head = el('tr', {}, [el('th', { text: 'Canal' })].concat(cols.map(function (c) { return el('th', { text: c[0] }); })));
    var rows = keys.map(function (k) {
      var f = r.by_channel[k];
      return el('tr', { 'data-canal': k }, [el('th', { text: label('canal', k) })].concat(cols.map(function (c) {
        return el('td', { text: fmt.num(c[1] ? f[c[1]] : f.meetings.booked) });
      })));
    });
    return section('Por canal', 'por-canal', [el('table', {}, [el('thead', {}, [head]), el('tbody', {}, rows)])]);
  }

  function timeline(r, fmt) {
    if (!r.timeline.length)
      return section('Envios ao longo do tempo', 'secao-tempo', [el('p', { class: 'vazio', text: 'Sem envios no período.' })]);
    var legend = el('p', { class: 'legenda' }, [
      el('span', { class: 'l-enviadas', text: 'Enviadas' }), el('span', { class: 'l-entregues', text: 'Entregues' }),
      el('span', { class: 'l-respostas', text: 'Respostas' }),
      el('span', { class: 'l-falhas', text: 'Falhas' }),
      r.pace_per_second ? el('span', { class: 'l-ritmo', text: 'Ritmo máximo da campanha' }) : el('span', { text: 'Sem ritmo definido' }),
    ]);
    return section('Envios ao longo do tempo', 'secao-tempo', [window.campaignChart(r, fmt), legend]);
  }

  function section(title, id, children) {
    return el('section', { 'data-testid': id }, [el('h2', { text: title })].concat(children));
  }

  function applyHost(ctx) {
    document.documentElement.setAttribute('data-tema', ctx.theme === 'dark' ? 'escuro' : 'claro');
    var vars = (ctx.styles && ctx.styles.variables) || {};
    for (var k in vars) if (/^--[a-z0-9-]+$/.test(k) && typeof vars[k] === 'string') document.documentElement.style.setProperty(k, vars[k]);
  }

  window.renderCampaign = function (state) {
    applyHost(state.hostContext || {});
    var fmt = formatters(state.hostContext || {});
    root.textContent = '';
    var r = state.report;
    if (!r) {
      root.appendChild(el('p', { class: 'aviso', 'data-testid': 'aviso', text: state.message || '' }));
      if (state.text) root.appendChild(el('pre', { class: 'texto', 'data-testid': 'texto', text: state.text }));
      root.removeAttribute('data-pronto');
      return;
    }
    root.appendChild(header(r, fmt));
    root.appendChild(funnel(r, fmt));
    root.appendChild(cards(r, fmt));
    root.appendChild(timeline(r, fmt));
    var grid = el('div', { class: 'colunas' }, [
      bars('respostas', 'Respostas por tipo', r.funnel.replied_by_class, 'resposta', fmt, 'Nenhuma resposta ainda.'),
      bars('bloqueados', 'Bloqueados por motivo', r.blocked_by_reason, 'bloqueio', fmt, 'Nenhum lead bloqueado.'),
      bars('falhas', 'Falhas por motivo', r.funnel.failed_by_reason, 'falha', fmt, 'Nenhuma falha.'),
    ]);
    root.appendChild(grid);
    root.appendChild(channels(r, fmt) || el('span'));
    root.setAttribute('data-pronto', '1');
  };
})();
`;
