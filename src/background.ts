/**
 * Work that outlives the tool call that started it (a large import). Tracked so the process can wait
 * for it on shutdown and tests can wait for it deterministically.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();

  run<T>(task: Promise<T>): Promise<T> {
    const tracked = task.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    tracked.catch(() => {});
    return task;
  }

  get size(): number {
    return this.running.size;
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
