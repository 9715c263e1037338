import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * A tiny zip writer for hostile-input tests: files no spreadsheet program would write (zip bombs,
 * damaged deflate data, sizes that lie), built byte by byte.
 */
export interface ZipPart {
  name: string;
  /** Stored deflated (method 8). */
  data?: string | Buffer;
  /** Already-deflated bytes and the sizes to declare (may lie). */
  raw?: { deflated: Buffer; size: number; crc?: number };
}

export function makeZip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    const plain = part.data === undefined ? undefined : Buffer.from(part.data);
    const deflated = part.raw?.deflated ?? deflateRawSync(plain!);
    const size = part.raw?.size ?? plain!.length;
    const crc = part.raw ? (part.raw.crc ?? 0) : crc32(plain!);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, deflated);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(deflated.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + deflated.length;
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(parts.length, 8);
  eocd.writeUInt16LE(parts.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, eocd]);
}

/**
 * Deflate data that inflates to `head` + `filler` repeated `times` times + `tail`, built from one
 * compressed copy of the filler (each block byte-aligned and independent), so a 2 GB sheet costs
 * a few MB and no time to build.
 */
export function bombDeflate(
  head: string,
  filler: string,
  times: number,
  tail: string,
): { deflated: Buffer; size: number } {
  const sync = { finishFlush: constants.Z_SYNC_FLUSH, level: 9 };
  const block = deflateRawSync(Buffer.from(filler), sync);
  const blocks: Buffer[] = [deflateRawSync(Buffer.from(head), sync)];
  for (let i = 0; i < times; i++) blocks.push(block);
  blocks.push(deflateRawSync(Buffer.from(tail)));
  return {
    deflated: Buffer.concat(blocks),
    size: Buffer.byteLength(head) + Buffer.byteLength(filler) * times + Buffer.byteLength(tail),
  };
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Column letters for a 0-based index: 0 → A, 16383 → XFD. */
export function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** A cell: text (inline string), or a formula with its cached text result. */
export type XCell = string | { formula: string; result: string };

/** The XML of a worksheet holding these rows (row 1 first). */
export function sheetXml(rows: XCell[][]): string {
  const body = rows
    .map((cells, r) => {
      const cs = cells
        .map((c, i) => {
          const ref = `${columnName(i)}${r + 1}`;
          if (typeof c === 'string')
            return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(c)}</t></is></c>`;
          return `<c r="${ref}" t="str"><f>${escapeXml(c.formula)}</f><v>${escapeXml(c.result)}</v></c>`;
        })
        .join('');
      return `<row r="${r + 1}">${cs}</row>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${NS}"><sheetData>${body}</sheetData></worksheet>`;
}

/** The parts of a one-sheet workbook around `sheet` (plain XML or a raw deflated part). */
export function xlsxParts(sheet: ZipPart['data'] | ZipPart['raw']): ZipPart[] {
  const sheetPart: ZipPart =
    typeof sheet === 'string' || Buffer.isBuffer(sheet)
      ? { name: 'xl/worksheets/sheet1.xml', data: sheet }
      : { name: 'xl/worksheets/sheet1.xml', raw: sheet };
  return [
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    },
    sheetPart,
  ];
}

/** A one-sheet .xlsx with these rows. */
export const makeXlsx = (rows: XCell[][]): Buffer => makeZip(xlsxParts(sheetXml(rows)));
