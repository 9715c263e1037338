import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(8 * 1024);
let poolPos = pool.length;
let lastMs = -1;
let counter = 0;

/**
 * A time-ordered UUID (version 7, RFC 9562): 48-bit Unix milliseconds, a 12-bit counter that keeps ids
 * of one process increasing within a millisecond, then 62 random bits.
 *
 * Why: keys made in bulk by an import (leads, their phones and e-mails) land next to each other in every
 * B-tree that starts with them (primary keys, (tenant_id, lead_id), (lead_id, …)), so inserting a chunk
 * touches the right-most pages instead of random ones all over indexes larger than the cache.
 *
 * @example uuidv7() // '01937b2e-4c1a-7000-8f3e-5b2a9c0d1e2f'
 */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    // 4096 ids in one millisecond: borrow the next millisecond so the order still holds.
    lastMs++;
    counter = 0;
  }
  if (poolPos + 8 > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const r = poolPos;
  poolPos += 8;
  // ASCII into one buffer, read back as one flat string: a template of 16 pieces made a rope of ~15
  // string objects per id (~450 bytes), and an import makes three ids per lead that live as long as its
  // chunk (issue #22: ~5% of what an import allocated, copied by every scavenge that found them alive).
  let ms = lastMs;
  for (let i = 11; i >= 0; i--) {
    const d = ms % 16;
    ms = (ms - d) / 16;
    ID[i < 8 ? i : i + 1] = DIGIT[d]; // 12 hex digits of the time at 0-7 and 9-12
  }
  ID[15] = DIGIT[(counter >> 8) & 15];
  ID[16] = DIGIT[(counter >> 4) & 15];
  ID[17] = DIGIT[counter & 15];
  hexByte(19, 0x80 | (pool[r] & 0x3f));
  hexByte(21, pool[r + 1]);
  for (let i = 0; i < 6; i++) hexByte(24 + 2 * i, pool[r + 2 + i]);
  return ID.toString('latin1', 0, 36);
}

const DIGIT = Buffer.from('0123456789abcdef', 'latin1');
/** An id's ASCII, rewritten by each call: dashes at 8, 13, 18 and 23, the version 7 at 14. */
const ID = Buffer.from('00000000-0000-7000-0000-000000000000', 'latin1');
function hexByte(at: number, b: number): void {
  ID[at] = DIGIT[b >> 4];
  ID[at + 1] = DIGIT[b & 15];
}
