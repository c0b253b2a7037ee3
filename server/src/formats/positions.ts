/** Offsets → LSP positions (UTF-16 code units, as JavaScript strings index), for formats read by offset. */
import type { Range } from '../model/range';

export class Positions {
  /**
   * Offset of each line's first character. Counted first, then filled: one allocation of the final size (growing an
   * array by push allocates about three times its final size), outside the JavaScript heap for all but tiny texts.
   */
  private readonly starts: Uint32Array;
  private readonly length: number;
  /** The line of the last answer: readers ask mostly in file order, so it or the next line is tried before a search. */
  private last = 0;

  constructor(text: string) {
    this.length = text.length;
    let lines = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    this.starts = new Uint32Array(lines);
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts[line++] = i + 1;
  }

  /** Offsets outside the text are taken as its start or end. */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.length));
    const starts = this.starts;
    let line = this.last;
    if (starts[line] <= o && (line + 1 >= starts.length || starts[line + 1] > o)) return { line, character: o - starts[line] };
    if (starts[line + 1] <= o && (line + 2 >= starts.length || starts[line + 2] > o)) line++;
    else {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= o) lo = mid;
        else hi = mid - 1;
      }
      line = lo;
    }
    this.last = line;
    return { line, character: o - starts[line] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}
