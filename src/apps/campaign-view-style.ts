/**
 * The campaign App's stylesheet. Colours and fonts come from the host's style variables when it gives
 * them (ext-apps McpUiStyles, e.g. --color-text-primary), with light/dark fallbacks of our own.
 */
export const VIEW_STYLE = String.raw`
:root {
  --fundo: var(--color-background-primary, #ffffff);
  --fundo-2: var(--color-background-secondary, #f4f5f7);
  --texto: var(--color-text-primary, #1d2230);
  --texto-2: var(--color-text-secondary, #5b6275);
  --borda: var(--color-border-primary, #dde1e8);
  --azul: #2f6fde;
  --verde: #1f9d6b;
  --vermelho: #d64545;
  --laranja: #d98a1c;
  --roxo: #8a4fd0;
  color-scheme: light dark;
}
:root[data-tema='escuro'] {
  --fundo: var(--color-background-primary, #16181d);
  --fundo-2: var(--color-background-secondary, #22252d);
  --texto: var(--color-text-primary, #eef0f4);
  --texto-2: var(--color-text-secondary, #a5abb8);
  --borda: var(--color-border-primary, #343844);
  --azul: #6d9cf0;
  --verde: #3fc592;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--fundo); color: var(--texto); }
body { font: 14px/1.4 var(--font-sans, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif); }
#app { padding: 16px; max-width: 760px; margin: 0 auto; }
h1 { font-size: 18px; margin: 0 0 2px; }
h2 { font-size: 14px; margin: 0 0 8px; color: var(--texto-2); font-weight: 600; }
.sub { margin: 0 0 12px; color: var(--texto-2); font-size: 12px; }
section { background: var(--fundo-2); border: 1px solid var(--borda); border-radius: 8px; padding: 12px; margin: 0 0 12px; }
.etapa, .item { display: grid; grid-template-columns: 150px 1fr 56px 130px; gap: 8px; align-items: center; margin: 4px 0; }
.item { grid-template-columns: 270px 1fr 40px; }
.item .nome { white-space: normal; }
.pct { white-space: nowrap; }
.nome { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.trilho { height: 12px; background: var(--fundo); border-radius: 6px; overflow: hidden; }
.barra { display: block; height: 100%; background: var(--azul); border-radius: 6px; }
[data-testid='bloqueados'] .barra { background: var(--laranja); }
[data-testid='falhas'] .barra { background: var(--vermelho); }
[data-testid='respostas'] .barra { background: var(--verde); }
.valor { text-align: right; font-variant-numeric: tabular-nums; }
.pct, .nota { color: var(--texto-2); font-size: 12px; }
.cartoes { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 0 0 12px; }
.cartao { background: var(--fundo-2); border: 1px solid var(--borda); border-radius: 8px; padding: 10px; display: flex;
  flex-direction: column; gap: 2px; }
.cartao strong { font-size: 20px; }
.colunas { display: grid; grid-template-columns: 1fr; gap: 0; }
.grafico { width: 100%; height: auto; display: block; }
.grade { stroke: var(--borda); stroke-width: 1; }
.eixo { fill: var(--texto-2); font-size: 11px; }
.enviadas { fill: none; stroke: var(--azul); stroke-width: 2; }
.entregues { fill: none; stroke: var(--verde); stroke-width: 1.5; stroke-dasharray: 1 0; opacity: 0.8; }
.respostas { fill: none; stroke: var(--roxo); stroke-width: 1.5; }
.ponto-enviadas { fill: var(--azul); }
.ponto-falhas { fill: var(--vermelho); }
.ritmo { stroke: var(--laranja); stroke-width: 1.5; stroke-dasharray: 6 4; }
.rotulo-ritmo { fill: var(--laranja); font-size: 11px; }
.legenda { display: flex; gap: 14px; flex-wrap: wrap; margin: 6px 0 0; font-size: 12px; color: var(--texto-2); }
.legenda span::before { content: ''; display: inline-block; width: 14px; height: 3px; margin-right: 5px; vertical-align: middle;
  background: currentColor; }
.l-enviadas::before { background: var(--azul) !important; }
.l-entregues::before { background: var(--verde) !important; }
.l-respostas::before { background: var(--roxo) !important; }
.l-falhas::before { background: var(--vermelho) !important; height: 6px !important; width: 6px !important; }
.l-ritmo::before { background: none !important; border-top: 2px dashed var(--laranja); }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 4px 6px; border-bottom: 1px solid var(--borda); }
th:first-child { text-align: left; }
.vazio, .aviso { color: var(--texto-2); margin: 4px 0; }
.texto { white-space: pre-wrap; font: 12px/1.4 var(--font-mono, ui-monospace, monospace); margin: 8px 0 0; }
@media (max-width: 560px) {
  .cartoes { grid-template-columns: repeat(2, 1fr); }
  .etapa { grid-template-columns: 110px 1fr 48px; }
  .item { grid-template-columns: 150px 1fr 40px; }
  .etapa .pct { display: none; }
}
`;
