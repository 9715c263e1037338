import { describe, expect, it } from 'vitest';
import { readRows, SpreadsheetError } from '../../src/files/spreadsheet.js';
import { makeZip } from '../helpers/zip.js';

/*
 * Nothing read from a file that cannot be imported comes back in the error (issue #12): exceljs and
 * saxes quote the offending text in their messages ("Invalid column letter: <text>", "unmatched closing
 * tag: <name>"), and that message used to become the job's error as it was.
 */
const MARKER = 'SEGREDO123';
const CONTENT_TYPES =
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="xml" ContentType="application/xml"/></Types>';
const WORKBOOK =
  '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
  '<sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>';
const RELS =
  '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" ' +
  'Target="worksheets/sheet1.xml"/></Relationships>';
const sheet = (data: string, close = 'worksheet') =>
  `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${data}</sheetData></${close}>`;

async function errorOf(sheetXml: string): Promise<SpreadsheetError> {
  const buffer = makeZip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: 'xl/workbook.xml', data: WORKBOOK },
    { name: 'xl/_rels/workbook.xml.rels', data: RELS },
    { name: 'xl/worksheets/sheet1.xml', data: sheetXml },
  ]);
  try {
    for await (const _ of readRows({ buffer, filename: 'danificado.xlsx' }));
  } catch (err) {
    expect(err).toBeInstanceOf(SpreadsheetError);
    return err as SpreadsheetError;
  }
  throw new Error('expected the workbook to be refused');
}

describe('a damaged workbook is refused without quoting it', () => {
  it('a cell address made of text', async () => {
    const err = await errorOf(sheet(`<row r="1"><c r="${MARKER}" t="inlineStr"><is><t>Empresa</t></is></c></row>`));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/damaged and cannot be read \(Out of bounds\. Invalid column letter\)/);
    expect(err.message).not.toContain(MARKER.slice(0, 7));
  });

  it('XML that does not close: the position, not the text', async () => {
    const err = await errorOf(
      sheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>${MARKER}</t></is></c></row>`, `wor${MARKER}`),
    );
    expect(err.message).toMatch(/\(unmatched closing tag at line 1, column \d+\)/);
    expect(err.message).not.toContain(MARKER);
  });

  it('names the sheet and its part, so the person knows which sheet to fix', async () => {
    const err = await errorOf(
      sheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>${MARKER}</t></is></c></row>`, `wor${MARKER}`),
    );
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/\) in sheet "Leads" \(xl\/worksheets\/sheet1\.xml\)\. /);
  });
});
