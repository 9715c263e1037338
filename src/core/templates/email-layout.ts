/**
 * Builds an e-mail's plain-text and HTML bodies from the same paragraphs, so the two versions a
 * mail client may show can never say different things.
 */

// Static template text only: the {{var}} tags contain none of these, and values are escaped by mustache.
const HTML_SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeStatic = (s: string) => s.replace(/[&<>"]/g, (c) => HTML_SPECIAL[c]);

const BODY_STYLE =
  'margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222;';
const FOOTER_STYLE = 'margin-top:32px;font-size:13px;color:#666666;';

/**
 * `corpo` joins the paragraphs with blank lines; `html` wraps each in `<p>` (line breaks → `<br>`)
 * with inline styles only, since most mail clients drop `<style>` blocks and external CSS.
 *
 * @example emailBodies(['Olá, {{contato}},', 'Tudo bem?'], 'Se não quiser…').corpo
 * // 'Olá, {{contato}},\n\nTudo bem?\n\nSe não quiser…'
 */
export function emailBodies(paragrafos: string[], rodape: string): { corpo: string; html: string } {
  const corpo = [...paragrafos, rodape].join('\n\n');
  const p = (text: string) => escapeStatic(text).replace(/\n/g, '<br>\n');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="pt-BR">',
    '<head><meta charset="utf-8"></head>',
    `<body style="${BODY_STYLE}">`,
    ...paragrafos.map((text) => `<p>${p(text)}</p>`),
    `<p style="${FOOTER_STYLE}">${p(rodape)}</p>`,
    '</body>',
    '</html>',
  ].join('\n');
  return { corpo, html };
}
