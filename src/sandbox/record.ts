import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of the SANDBOX_RECORD file. */
export interface RecordLine {
  ts: string;
  tool: string;
  args: Record<string, unknown>;
  message_id: string;
  idempotency_key: string | null;
  attempt: number;
  /** The answer's text and structuredContent (what an idempotent replay returns). */
  text: string;
  result: Record<string, unknown>;
  duplicate?: true;
}

/**
 * The SANDBOX_RECORD file: one JSON line per call, appended with one write on an O_APPEND descriptor
 * (lines from concurrent processes do not interleave). A torn last line (a crash mid-write) is skipped.
 */
export class RecordFile {
  private fd: number | undefined;
  /** Bytes already read (readAll and readNew). */
  private offset = 0;

  constructor(
    readonly path: string,
    private readonly onMalformed: (text: string) => void = () => {},
  ) {}

  /** Every line written so far (none when the file does not exist yet). */
  readAll(): RecordLine[] {
    let raw: string;
    try {
      raw = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    this.offset = Buffer.byteLength(raw.slice(0, raw.lastIndexOf('\n') + 1), 'utf8');
    return this.parse(raw.split('\n'));
  }

  /** The complete lines other processes appended since the last read. */
  readNew(): RecordLine[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      const text = buf.toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) return [];
      this.offset += Buffer.byteLength(text.slice(0, end + 1), 'utf8');
      return this.parse(text.slice(0, end).split('\n'));
    } finally {
      closeSync(fd);
    }
  }

  append(line: RecordLine): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    }
    writeSync(this.fd, JSON.stringify(line) + '\n');
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }

  private parse(texts: string[]): RecordLine[] {
    const out: RecordLine[] = [];
    for (const text of texts) {
      if (text.trim() === '') continue;
      try {
        out.push(JSON.parse(text) as RecordLine);
      } catch {
        this.onMalformed(text);
      }
    }
    return out;
  }
}
