/** Per-key debouncing: a burst of requests for one key (a document) runs once, after the burst. */
export class Debouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Runs `run` after `delayMs`, replacing any pending run for the key; a delay of 0 runs it at once instead. */
  schedule(key: string, run: () => void, delayMs: number): void {
    this.cancel(key);
    if (delayMs <= 0) return run();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        run();
      }, delayMs),
    );
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

/**
 * How long to wait after an edit before analysing, per document. An edit to an idle document whose last analysis
 * was quick is analysed at once; edits in a burst wait for the burst to pause, longer when analyses are slower
 * (a fresh analysis per keystroke of a slow document would only be thrown away by the next one).
 */
export class EditPace {
  private readonly lastEdit = new Map<string, number>();
  private readonly lastCost = new Map<string, number>();

  constructor(
    /** An analysis at most this long (ms) is quick enough to run on every edit of an idle document. */
    private readonly quickMs = 50,
    /** The longest wait (ms); also how long without edits makes a document idle. */
    private readonly maxDelayMs = 150,
    /** The shortest wait (ms) inside a burst. */
    private readonly minDelayMs = 20,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /**
   * Records an edit and returns how long to wait before analysing it. `stoppable`: the analysis runs in steps that a
   * newer version stops, so an edit to an idle document starts it at once however slow it is (a keystroke after it
   * waits for one step, not the whole analysis).
   */
  edited(key: string, stoppable = false): number {
    const now = this.clock();
    const previous = this.lastEdit.get(key);
    this.lastEdit.set(key, now);
    const cost = this.lastCost.get(key);
    if (cost === undefined) return this.maxDelayMs;
    const idle = previous === undefined || now - previous >= this.maxDelayMs;
    if (idle && (cost <= this.quickMs || stoppable)) return 0;
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, 2 * cost));
  }

  /** Records how long an analysis of the key took (ms). */
  analysed(key: string, ms: number): void {
    this.lastCost.set(key, ms);
  }

  forget(key: string): void {
    this.lastEdit.delete(key);
    this.lastCost.delete(key);
  }
}
