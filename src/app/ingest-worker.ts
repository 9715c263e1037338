/**
 * Worker-thread entry (started by ingest-prepare.ts): reads the spreadsheet and prepares its rows
 * (core/ingest/prepare.ts) off the main thread, so that reading and normalising run on one core while the
 * main thread and the database write the previous chunks on another. Sends batches under a credit window:
 * at most `window` batches are ahead of the consumer, so memory stays bounded whatever the file size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RowPreparer } from '../core/ingest/prepare.js';
import { readRows } from '../files/spreadsheet.js';
import type { WorkerInput, WorkerMessage } from './ingest-prepare.js';

const input = workerData as WorkerInput;
const port = parentPort!;
let credits = input.window;
let wake: (() => void) | null = null;
port.on('message', (m: unknown) => {
  if (m !== 'ack') return;
  credits++;
  wake?.();
  wake = null;
});

const post = (m: WorkerMessage) => port.postMessage(m);

async function send(batch: WorkerMessage & { type: 'batch' }): Promise<void> {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
  post(batch);
}

async function main(): Promise<void> {
  let bytes = 0;
  const source = { path: input.path, buffer: input.buffer ? Buffer.from(input.buffer) : undefined, filename: input.filename };
  const preparer = new RowPreparer(input.columnMap);
  for await (const row of readRows(source, { sheet: input.sheet, onBytes: (n) => (bytes = n) })) {
    preparer.add(row);
    if (preparer.size >= input.batchRows) await send({ type: 'batch', batch: { ...preparer.take(), bytesRead: bytes } });
  }
  preparer.end();
  await send({ type: 'batch', batch: { ...preparer.take(), bytesRead: bytes, sheets: preparer.sheets } });
  post({ type: 'done' });
}

main().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: 'error', error: { name: e.name, message: e.message, code: (e as { code?: unknown }).code as string | undefined } });
});
