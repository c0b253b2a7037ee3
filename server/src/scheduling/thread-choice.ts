/**
 * Where a large document is analysed: on the server's own thread or in the worker thread. The own thread keeps the
 * analysis that hovers, lenses and hints need and reuses it for the next edit (one analysis per version, one copy
 * in memory), so it is chosen while that stays cheap: a document's first analysis (nothing else waits at open, and
 * a worker would first load its code and warm up its own JIT), its second (the first was paid cold), and then as
 * long as the last one here took at most `budgetMs`. A slower document goes to the worker, which keeps the event
 * loop answering and whose run a newer version stops.
 */
export class ThreadChoice {
  private readonly costs = new Map<string, { ms: number; runs: number }>();

  constructor(
    /** The longest analysis (ms) that may hold up the event loop on an edit. */
    private readonly budgetMs = 200,
    /** Longer documents (UTF-16 units) always go to the worker. */
    private readonly maxLength = 1024 * 1024,
  ) {}

  /** Whether to analyse the key's document, `length` UTF-16 units long, here; `workerIdle`: no worker job is queued or running. */
  here(key: string, length: number, workerIdle: boolean): boolean {
    if (length > this.maxLength || !workerIdle) return false;
    const last = this.costs.get(key);
    return !last || last.runs < 2 || last.ms <= this.budgetMs;
  }

  /** Records how long an analysis of the key's document took here (ms). */
  analysedHere(key: string, ms: number): void {
    this.costs.set(key, { ms, runs: (this.costs.get(key)?.runs ?? 0) + 1 });
  }

  forget(key: string): void {
    this.costs.delete(key);
  }
}
