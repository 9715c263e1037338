/** A buffer in 256 KB pieces, so that progress and backpressure work as they do for a file. */
export function* slices(buffer: Buffer, size = 256 * 1024): Generator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}
