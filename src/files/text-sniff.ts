import { TextDecoder } from 'node:util';

/**
 * Encoding and delimiter sniffing for CSV files from Brazilian users: Excel's "CSV (separado por
 * vírgulas)" is Windows-1252 with ';', "CSV UTF-8" has a BOM, Google Sheets is UTF-8 with ',',
 * "Texto Unicode" is UTF-16LE with tabs.
 */

export type TextEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/**
 * Decodes a byte stream whose encoding is learnt on the way: UTF-8 while every non-ASCII byte
 * forms valid UTF-8, else Windows-1252 (a superset of Latin-1 for the printable range). The choice
 * is made at the first non-ASCII character, before any non-ASCII text was emitted, so nothing
 * already returned ever needs re-decoding. A BOM decides at once.
 */
export class SniffingDecoder {
  encoding: TextEncoding | undefined;
  private decoder: TextDecoder | undefined;
  private pending: Buffer = Buffer.alloc(0); // bytes not yet decoded while still undecided

  write(chunk: Buffer): string {
    if (this.decoder) return this.decodeDecided(chunk);
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    if (this.encoding === undefined && buf.length < 3 && isBomPrefix(buf)) {
      this.pending = buf; // wait for the whole BOM
      return '';
    }
    const bom = detectBom(buf);
    if (bom) return this.decide(bom, buf);

    const utf8 = new TextDecoder('utf-8', { fatal: true });
    let text: string;
    try {
      text = utf8.decode(buf, { stream: true });
    } catch {
      return this.decide('windows-1252', buf);
    }
    if (!isAscii(text)) {
      this.encoding = 'utf-8';
      this.decoder = utf8;
      return text;
    }
    // Still undecided: any bytes the decoder held back (a possibly split character) wait for more.
    this.pending = Buffer.from(buf.subarray(text.length));
    return text;
  }

  end(): string {
    if (this.decoder) {
      try {
        return this.decoder.decode();
      } catch {
        return '\uFFFD';
      }
    }
    if (this.pending.length === 0) return '';
    // An incomplete sequence at the very end of an otherwise ASCII file: not UTF-8.
    return this.decide('windows-1252', this.pending) + this.end();
  }

  private decide(encoding: TextEncoding, buf: Buffer): string {
    this.encoding = encoding;
    this.decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
    this.pending = Buffer.alloc(0);
    return this.decodeDecided(buf);
  }

  private decodeDecided(chunk: Buffer): string {
    try {
      return this.decoder!.decode(chunk, { stream: true });
    } catch {
      // A file that was valid UTF-8 up to here and then is not (mixed encodings): keep going
      // with replacement characters rather than failing a whole import.
      this.decoder = new TextDecoder('utf-8');
      return this.decoder.decode(chunk, { stream: true });
    }
  }
}

function detectBom(buf: Buffer): TextEncoding | null {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return 'utf-8';
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return 'utf-16le';
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return 'utf-16be';
  return null;
}

function isBomPrefix(buf: Buffer): boolean {
  return [Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])].some(
    (bom) => buf.length > 0 && buf.length < bom.length && bom.subarray(0, buf.length).equals(buf),
  );
}

function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x00-\x7f]/.test(text);
}

export interface CsvDialect {
  delimiter: string;
  /** Excel's "sep=;" first line: tells the delimiter and is not data. */
  sepLine: boolean;
}

const CANDIDATES = [';', ',', '\t', '|'];
const SNIFF_LINES = 30;

/**
 * The delimiter that splits the first lines most consistently (outside quotes). `;` wins over `,`
 * for "Empresa;Valor\nACME;1.234,56" because its count is the same on every line.
 */
export function sniffDialect(head: string): CsvDialect {
  const sep = /^sep=(.)\r?\n/i.exec(head);
  if (sep) return { delimiter: sep[1], sepLine: true };

  const lines = countPerLine(head);
  let best = { delimiter: ',', score: 0, mode: 0 };
  for (const [i, delimiter] of CANDIDATES.entries()) {
    const counts = lines.map((l) => l[i]);
    const mode = modeOfPositive(counts);
    if (mode === 0) continue;
    const score = counts.filter((c) => c === mode).length;
    if (score > best.score || (score === best.score && mode > best.mode)) best = { delimiter, score, mode };
  }
  return { delimiter: best.delimiter, sepLine: false };
}

/** Per non-empty line, how many times each candidate occurs outside quotes. */
function countPerLine(head: string): number[][] {
  const lines: number[][] = [];
  let counts = CANDIDATES.map(() => 0);
  let inQuotes = false;
  let nonEmpty = false;
  for (let i = 0; i < head.length && lines.length < SNIFF_LINES; i++) {
    const ch = head[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (nonEmpty) lines.push(counts);
      counts = CANDIDATES.map(() => 0);
      nonEmpty = false;
      continue;
    } else if (!inQuotes) {
      const k = CANDIDATES.indexOf(ch);
      if (k >= 0) counts[k]++;
    }
    if (ch !== ' ') nonEmpty = true;
  }
  if (nonEmpty && lines.length < SNIFF_LINES) lines.push(counts);
  return lines;
}

function modeOfPositive(counts: number[]): number {
  const freq = new Map<number, number>();
  for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
  let mode = 0;
  let best = 0;
  for (const [c, f] of freq) {
    if (f > best || (f === best && c > mode)) {
      mode = c;
      best = f;
    }
  }
  return mode;
}
