/** Waits for p to settle, at most ms (Infinity: no limit); true when it settled in time. */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = p.then(
    () => true,
    () => true,
  );
  if (!Number.isFinite(ms)) return settled;
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (t = setTimeout(() => resolve(false), Math.max(0, ms))));
  return Promise.race([settled, late]).finally(() => clearTimeout(t));
}
