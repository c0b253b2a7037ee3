/** Per-key debouncing: a burst of requests for one key (a document) runs once, after the burst. */
export class Debouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly delayMs: number) {}

  /** Runs `run` after the delay, replacing any pending run for the key; `now` runs it at once instead. */
  schedule(key: string, run: () => void, now = false): void {
    this.cancel(key);
    if (now) return run();
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      run();
    }, this.delayMs));
  }

  pending(key: string): boolean {
    return this.timers.has(key);
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }
}
