import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LeadField } from '../core/ingest/columns.js';
import { prepareRows, type PreparedBatch } from '../core/ingest/prepare.js';
import { readRows, SpreadsheetError, type SpreadsheetErrorCode, type SpreadsheetSource } from '../files/spreadsheet.js';

export interface PrepareOptions {
  sheet?: string;
  columnMap?: Record<string, LeadField>;
  /** Called with the bytes of the file read so far. */
  onBytes?: (bytes: number) => void;
}

/** What the worker (ingest-worker.ts) is started with. */
export interface WorkerInput {
  path?: string;
  buffer?: Uint8Array;
  filename: string;
  sheet?: string;
  columnMap?: Record<string, LeadField>;
  batchRows: number;
  window: number;
}

export type WorkerMessage =
  | { type: 'batch'; batch: PreparedBatch }
  | { type: 'done' }
  | { type: 'error'; error: { name: string; message: string; code?: string } };

/**
 * The file's rows, read and prepared on this thread (small files: a worker costs ~30 ms to start) or in
 * a worker thread (large files: reading and normalising take a core of their own while this thread and
 * the database write). Same batches either way.
 */
export function preparedRows(
  source: SpreadsheetSource,
  opts: PrepareOptions & { inWorker: boolean; heap?: typeof WORKER_HEAP; onFallback?: (why: string) => void },
): AsyncIterable<PreparedBatch> {
  return opts.inWorker ? prepareInWorker(source, opts) : prepareHere(source, opts);
}

function prepareHere(source: SpreadsheetSource, opts: PrepareOptions): AsyncGenerator<PreparedBatch> {
  let bytes = 0;
  const rows = readRows(source, { sheet: opts.sheet, onBytes: (n) => ((bytes = n), opts.onBytes?.(n)) });
  return prepareRows(rows, { columnMap: opts.columnMap, bytesRead: () => bytes });
}

/** Batches of 500 rows, at most 4 ahead of the consumer (~2,000 prepared rows in memory). */
const BATCH_ROWS = 500;
const WINDOW = 4;
/**
 * The worker's heap. Streaming needs little: without a cap V8 lets a busy thread's heap grow to several
 * times what is live (100k rows: the process peaked at 306–318 MB, 254 MB with this cap). A workbook whose
 * shared-string table does not fit runs out of memory before its first row: then the file is read on
 * the main thread instead (see prepareInWorker).
 */
export const WORKER_HEAP = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 };

async function* prepareInWorker(source: SpreadsheetSource, opts: PrepareOptions & { heap?: typeof WORKER_HEAP; onFallback?: (why: string) => void }): AsyncGenerator<PreparedBatch> {
  const input: WorkerInput = {
    path: source.path, filename: source.filename, sheet: opts.sheet, columnMap: opts.columnMap, batchRows: BATCH_ROWS, window: WINDOW,
    // A copy, not a transfer: the caller's buffer stays usable.
    buffer: source.buffer ? new Uint8Array(source.buffer) : undefined,
  };
  const [entry, how] = workerEntry();
  // stdout belongs to the MCP protocol in stdio mode: whatever the worker prints goes to stderr.
  const worker = new Worker(entry, { ...how, workerData: input, stdout: true, resourceLimits: opts.heap ?? WORKER_HEAP });
  worker.stdout.pipe(process.stderr);
  const inbox: Array<WorkerMessage | { type: 'oom'; message: string }> = [];
  let wake: (() => void) | null = null;
  const deliver = (m: (typeof inbox)[number]) => {
    inbox.push(m);
    wake?.();
    wake = null;
  };
  worker.on('message', deliver);
  worker.on('error', (err: Error & { code?: string }) =>
    deliver(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { type: 'oom', message: err.message } : { type: 'error', error: { name: err.name, message: err.message } }),
  );
  worker.on('exit', (code) => deliver({ type: 'error', error: { name: 'Error', message: `ingest worker exited (code ${code}) before finishing` } }));
  let received = 0;
  try {
    for (;;) {
      if (!inbox.length) await new Promise<void>((resolve) => (wake = resolve));
      const m = inbox.shift()!;
      if (m.type === 'done') return;
      if (m.type === 'oom' && received === 0) break; // nothing consumed yet: start over on this thread
      if (m.type === 'oom') throw new Error(`the ingest worker ran out of memory after ${received} batches: ${m.message}`);
      if (m.type === 'error') throw rebuild(m.error);
      received++;
      worker.postMessage('ack');
      if (m.batch.bytesRead !== undefined) opts.onBytes?.(m.batch.bytesRead);
      yield m.batch;
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
  opts.onFallback?.(`the worker's ${(opts.heap ?? WORKER_HEAP).maxOldGenerationSizeMb} MB heap was too small before the first row`);
  yield* prepareHere(source, opts);
}

/** A spreadsheet error keeps its class and code across the thread boundary (the caller's messages depend on it). */
function rebuild(e: { name: string; message: string; code?: string }): Error {
  if (e.name === 'SpreadsheetError' && e.code) return new SpreadsheetError(e.code as SpreadsheetErrorCode, e.message);
  return Object.assign(new Error(e.message), { name: e.name });
}

/**
 * The worker's module: the compiled ingest-worker.js next to this file, or, when this file runs as
 * TypeScript (tests, tsx), ingest-worker.ts behind a bootstrap that registers tsx in the worker first
 * (Node 20 workers do not take --import from execArgv).
 */
function workerEntry(): [URL | string, { eval?: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./ingest-worker.js', import.meta.url), {}];
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./ingest-worker.ts', import.meta.url).href;
  return [`import(${JSON.stringify(tsxApi)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`, { eval: true }];
}
