/**
 * Sorted, disjoint, non-adjacent closed intervals over bigint. The shared engine behind PortSet and
 * AddressSet: both are sets of integers (ports 0–65535, IPv4 as 32-bit and IPv6 as 128-bit numbers).
 */
export type Interval = readonly [bigint, bigint];

export class IntervalSet {
  private constructor(readonly intervals: readonly Interval[]) {}

  static readonly EMPTY = new IntervalSet([]);

  static of(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : new IntervalSet([[lo, hi]]);
  }

  /** Builds a normalised set from intervals in any order, overlapping or not. */
  static from(list: Iterable<Interval>): IntervalSet {
    return IntervalSet.fromSorted([...list].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));
  }

  /** Like `from`, for intervals already sorted by their start (merges overlaps and neighbours, no sort). */
  static fromSorted(list: readonly Interval[]): IntervalSet {
    const out: [bigint, bigint][] = [];
    for (const [lo, hi] of list) {
      const last = out[out.length - 1];
      if (last && lo <= last[1] + 1n) {
        if (hi > last[1]) last[1] = hi;
      } else if (lo <= hi) out.push([lo, hi]);
    }
    return out.length ? new IntervalSet(out) : IntervalSet.EMPTY;
  }

  isEmpty(): boolean {
    return this.intervals.length === 0;
  }

  has(x: bigint): boolean {
    let lo = 0;
    let hi = this.intervals.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.intervals[mid];
      if (x < a) hi = mid - 1;
      else if (x > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  size(): bigint {
    let n = 0n;
    for (const [a, b] of this.intervals) n += b - a + 1n;
    return n;
  }

  union(o: IntervalSet): IntervalSet {
    if (o.isEmpty() || o === this) return this;
    if (this.isEmpty()) return o;
    // Linear merge of two sorted lists; unions run in the analysis's inner loop.
    const A = this.intervals;
    const B = o.intervals;
    const out: [bigint, bigint][] = [];
    let i = 0;
    let j = 0;
    while (i < A.length || j < B.length) {
      const next = j >= B.length || (i < A.length && A[i][0] <= B[j][0]) ? A[i++] : B[j++];
      const last = out[out.length - 1];
      if (last && next[0] <= last[1] + 1n) {
        if (next[1] > last[1]) last[1] = next[1];
      } else out.push([next[0], next[1]]);
    }
    return new IntervalSet(out);
  }

  /** True when one interval of `o` spans all of this set. */
  private within(o: IntervalSet): boolean {
    if (this.isEmpty()) return true;
    const lo = this.intervals[0][0];
    const hi = this.intervals[this.intervals.length - 1][1];
    return o.intervals.some(([a, b]) => a <= lo && b >= hi);
  }

  /** True when the two sets' spans do not even overlap: a cheap "nothing in common". */
  private apart(o: IntervalSet): boolean {
    const A = this.intervals;
    const B = o.intervals;
    return !A.length || !B.length || A[A.length - 1][1] < B[0][0] || B[B.length - 1][1] < A[0][0];
  }

  intersect(o: IntervalSet): IntervalSet {
    if (this.apart(o)) return IntervalSet.EMPTY;
    if (o === this || this.within(o)) return this;
    if (o.within(this) && o.intervals.length === 1 && this.intervals.length === 1) return o;
    const out: Interval[] = [];
    let i = 0;
    let j = 0;
    const A = this.intervals;
    const B = o.intervals;
    while (i < A.length && j < B.length) {
      const lo = A[i][0] > B[j][0] ? A[i][0] : B[j][0];
      const hi = A[i][1] < B[j][1] ? A[i][1] : B[j][1];
      if (lo <= hi) out.push([lo, hi]);
      if (A[i][1] < B[j][1]) i++;
      else j++;
    }
    return out.length ? new IntervalSet(out) : IntervalSet.EMPTY;
  }

  /**
   * This set split by `o` into [the part inside o, the part outside] in one sweep: what intersect and subtract
   * give, without the complement subtract builds. The exposure walk does this for every rule it applies.
   */
  partition(o: IntervalSet): [IntervalSet, IntervalSet] {
    if (this.apart(o)) return [IntervalSet.EMPTY, this];
    if (o === this || this.within(o)) return [this, IntervalSet.EMPTY];
    const inside: Interval[] = [];
    const outside: Interval[] = [];
    const B = o.intervals;
    let j = 0;
    for (const [a, b] of this.intervals) {
      while (j < B.length && B[j][1] < a) j++;
      let lo = a;
      while (lo <= b) {
        if (j >= B.length || B[j][0] > b) {
          outside.push([lo, b]);
          break;
        }
        const [c, d] = B[j];
        if (c > lo) outside.push([lo, c - 1n]);
        const end = d < b ? d : b;
        inside.push([c > lo ? c : lo, end]);
        lo = end + 1n;
        if (d <= b) j++;
      }
    }
    const wrap = (l: Interval[]) => (l.length ? new IntervalSet(l) : IntervalSet.EMPTY);
    return [wrap(inside), wrap(outside)];
  }

  /** Complement within [min, max]. */
  complement(min: bigint, max: bigint): IntervalSet {
    const out: Interval[] = [];
    let next = min;
    for (const [a, b] of this.intervals) {
      if (b < min || a > max) continue;
      if (a > next) out.push([next, a - 1n]);
      next = b + 1n;
    }
    if (next <= max) out.push([next, max]);
    return out.length ? new IntervalSet(out) : IntervalSet.EMPTY;
  }

  subtract(o: IntervalSet): IntervalSet {
    if (this.isEmpty() || o.isEmpty()) return this;
    if (o === this || this.within(o)) return IntervalSet.EMPTY;
    const min = this.intervals[0][0];
    const max = this.intervals[this.intervals.length - 1][1];
    return this.intersect(o.complement(min, max));
  }

  covers(o: IntervalSet): boolean {
    return o.subtract(this).isEmpty();
  }

  overlaps(o: IntervalSet): boolean {
    return !this.intersect(o).isEmpty();
  }

  equals(o: IntervalSet): boolean {
    if (this.intervals.length !== o.intervals.length) return false;
    return this.intervals.every(([a, b], k) => a === o.intervals[k][0] && b === o.intervals[k][1]);
  }
}
