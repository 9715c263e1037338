/**
 * exceljs's streaming sheet parser restarts a cell's text at every <t> it meets, so an inline
 * rich-text cell (`<is><r><t>ACME </t></r><r><t>Ltda</t></r></is>`, as exceljs writes rich text
 * without shared strings, and openpyxl ≥ 3.1 writes CellRichText) keeps only its last run
 * ('Ltda'). This rewrites every `<is>…</is>` holding runs into a single `<t>` with all runs' text
 * (phonetic `<rPh>` runs dropped) before the parser sees the XML. Plain inline strings pass as is.
 */
export async function* mergeInlineStringRuns(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + chunk;
    carry = '';
    let out = '';
    let pos = 0;
    for (;;) {
      const start = findInlineStart(text, pos);
      if (start < 0) break;
      const end = text.indexOf('</is>', start);
      if (end < 0) {
        out += text.slice(pos, start);
        carry = text.slice(start);
        pos = text.length;
        break;
      }
      out += text.slice(pos, start) + mergeRuns(text.slice(start, end + 5));
      pos = end + 5;
    }
    if (pos < text.length) {
      // Hold back a tag cut by the chunk boundary ('<', '<i', '<is') so the next chunk completes it.
      const rest = text.slice(pos);
      const lt = rest.lastIndexOf('<');
      if (lt >= 0 && rest.length - lt < 4 && '<is>'.startsWith(rest.slice(lt))) {
        out += rest.slice(0, lt);
        carry = rest.slice(lt);
      } else {
        out += rest;
      }
    }
    if (carry.length > MAX_INLINE_CELL) {
      // Not a cell any writer would produce; give up on merging rather than buffer without bound.
      out += carry;
      carry = '';
    }
    if (out) yield out;
  }
  if (carry) yield carry;
}

const MAX_INLINE_CELL = 1024 * 1024;

function findInlineStart(text: string, from: number): number {
  for (let i = text.indexOf('<is', from); i >= 0; i = text.indexOf('<is', i + 3)) {
    const next = text.charCodeAt(i + 3);
    if (next === 62 /* > */ || next === 32 || next === 9 || next === 10 || next === 13) return i;
  }
  return -1;
}

const RUN = /<r[\s>]/;
const PHONETIC = /<rPh\b[\s\S]*?<\/rPh>/g;
const TEXT = /<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g;

function mergeRuns(block: string): string {
  if (!RUN.test(block) && !block.includes('<rPh')) return block;
  let joined = '';
  for (const m of block.replace(PHONETIC, '').matchAll(TEXT)) joined += m[1];
  return `<is><t xml:space="preserve">${joined}</t></is>`;
}
