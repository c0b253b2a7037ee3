/**
 * Where a large document is analysed: on the server's own thread or in the worker thread. The own thread keeps the
 * analysis that hovers, lenses and hints need and reuses it for the next edit (one analysis per version, one copy
 * in memory), and runs it in steps that a newer version stops (the server reads messages between them), so it is
 * chosen while its steps stay short: always at open (nothing else waits, and a worker would first load its code and
 * warm up its own JIT; that cold run is not counted), then unless the longest step of each of the last two runs here
 * took over `budgetMs`. Moving to the worker costs a cold full analysis there, so one slow run (a busy machine, a
 * fresh parse) is not enough. A slower document goes to the worker, which keeps the event loop answering and whose
 * run a newer version stops.
 */
export class ThreadChoice {
  /** Per document: how many runs in a row (not counting the first) had a step over the budget. */
  private readonly costs = new Map<string, { over: number }>();

  constructor(
    /** The longest step (ms) that may hold up the event loop on an edit. */
    private readonly budgetMs = 500,
    /** Longer documents (UTF-16 units) always go to the worker. */
    private readonly maxLength = 1024 * 1024,
  ) {}

  /** Whether to analyse the key's document, `length` UTF-16 units long, here; `workerIdle`: no worker job is queued or running. */
  here(key: string, length: number, workerIdle: boolean): boolean {
    if (length > this.maxLength || !workerIdle) return false;
    const last = this.costs.get(key);
    return !last || last.over < 2;
  }

  /** Records the longest step (ms) of an analysis of the key's document here. */
  analysedHere(key: string, ms: number): void {
    // The first run (at open) parses afresh with a cold JIT: it says nothing about the edits after it.
    const last = this.costs.get(key);
    this.costs.set(key, { over: last && ms > this.budgetMs ? last.over + 1 : 0 });
  }

  forget(key: string): void {
    this.costs.delete(key);
  }
}
