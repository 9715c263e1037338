import type { ZipArchive } from './zip-archive.js';

/** row number → column number (1-based) → 'mailto:...' */
export type MailtoLinks = Map<number, Map<number, string>>;

const MAX_LINKED_CELLS = 200_000;

/**
 * The mailto: hyperlinks of a sheet, so that a cell showing "Enviar e-mail" still yields the
 * address. exceljs's streaming reader cannot do this: `<hyperlinks>` comes after `<sheetData>` in
 * the sheet XML, so it only knows the links once every row has been emitted. We first look at
 * the sheet's relationships (a tiny part); only when they hold a mailto: target do we pre-scan
 * the sheet XML for the `<hyperlink>` elements (one extra decompression, no rows kept).
 */
export async function readMailtoLinks(zip: ZipArchive, sheetPath: string): Promise<MailtoLinks | null> {
  const slash = sheetPath.lastIndexOf('/');
  const relsPath = `${sheetPath.slice(0, slash)}/_rels/${sheetPath.slice(slash + 1)}.rels`;
  const relsEntry = zip.entries.get(relsPath.toLowerCase());
  const sheetEntry = zip.entries.get(sheetPath.toLowerCase());
  if (!relsEntry || !sheetEntry) return null;

  const targets = new Map<string, string>();
  for await (const tag of tags(await zip.openText(relsEntry), 'Relationship')) {
    const a = attributes(tag);
    if (a.Id && a.Target && /^mailto:/i.test(a.Target) && /\/hyperlink$/.test(a.Type ?? ''))
      targets.set(a.Id, a.Target);
  }
  if (targets.size === 0) return null;

  const links: MailtoLinks = new Map();
  let count = 0;
  for await (const tag of tags(await zip.openText(sheetEntry), 'hyperlink')) {
    const a = attributes(tag);
    const id = Object.entries(a).find(([k]) => k === 'id' || k.endsWith(':id'))?.[1];
    const target = id ? targets.get(id) : undefined;
    if (!target || !a.ref) continue;
    for (const [row, col] of cellsOf(a.ref)) {
      if (++count > MAX_LINKED_CELLS) return links;
      let cols = links.get(row);
      if (!cols) links.set(row, (cols = new Map()));
      cols.set(col, target);
    }
  }
  return links;
}

/** Opening tags named `name` (e.g. `<hyperlink ref="E5" r:id="rId2"/>`) found in a stream of XML text. */
async function* tags(chunks: AsyncIterable<string>, name: string): AsyncGenerator<string> {
  const re = new RegExp(`<(?:\\w+:)?${name}\\s[^>]*>`, 'g');
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + chunk;
    let end = 0;
    for (const m of text.matchAll(re)) {
      yield m[0];
      end = m.index + m[0].length;
    }
    // Keep a possibly cut tag for the next chunk.
    const lt = text.lastIndexOf('<');
    carry = lt >= end && text.indexOf('>', lt) < 0 ? text.slice(lt) : '';
  }
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]] = decodeXml(m[2] ?? m[3] ?? '');
  return out;
}

function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e[0] !== '#') return named[e.toLowerCase()];
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** 'E5' → [[5, 5]]; 'E4:F5' → the four cells. */
function* cellsOf(ref: string): Generator<[number, number]> {
  const [a, b = a] = ref.split(':').map(parseRef);
  if (!a || !b) return;
  for (let row = Math.min(a[0], b[0]); row <= Math.max(a[0], b[0]); row++) {
    for (let col = Math.min(a[1], b[1]); col <= Math.max(a[1], b[1]); col++) yield [row, col];
  }
}

function parseRef(ref: string): [number, number] | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d+)$/i.exec(ref.trim());
  if (!m) return null;
  let col = 0;
  for (const ch of m[1].toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  return [Number(m[2]), col];
}
