/**
 * Sorted, disjoint, non-adjacent closed intervals of integers. The shared engine behind PortSet and
 * AddressSet: both are sets of integers (ports 0–65535, IPv4 as 32-bit and IPv6 as 128-bit numbers).
 *
 * The public interface speaks bigint so IPv6 is exact, but a set whose every bound fits in a double (ports,
 * IPv4, low IPv6) stores plain numbers: the exposure walk runs millions of set operations, and bigint
 * arithmetic allocates on every step (a profile of the largest corpus ruleset spent a third of its time in GC).
 * The form is canonical — numbers exactly when the largest bound is at most 2^53 − 1 — so equal sets have
 * equal forms, and operations on a number set and a bigint set convert the number side.
 */
export type Interval = readonly [bigint, bigint];

/** Bounds flattened as [lo0, hi0, lo1, hi1, …], all numbers or all bigints. */
type Bounds = readonly number[] | readonly bigint[];
/** Internal algorithms run unchanged on either element type; `one` is 1 or 1n to match. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- number | bigint arithmetic without casts at each step
type Num = any;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function isBig(b: Bounds): b is readonly bigint[] {
  return typeof b[0] === 'bigint';
}

/** The canonical form of freshly computed bounds. */
function canonical(b: Num[]): Bounds {
  if (b.length && typeof b[0] === 'bigint' && b[b.length - 1] <= SAFE) return b.map(Number);
  return b;
}

function big(b: Bounds): readonly bigint[] {
  return isBig(b) ? b : (b as readonly number[]).map(BigInt);
}

/** Two operands in one element type, and the matching unit. */
function align(a: Bounds, b: Bounds): [readonly Num[], readonly Num[], Num] {
  if (isBig(a) === isBig(b) || !a.length || !b.length) return [a, b, isBig(a) || isBig(b) ? 1n : 1];
  return [big(a), big(b), 1n];
}

export class IntervalSet {
  private cachedIntervals: readonly Interval[] | undefined;

  private constructor(private readonly b: Bounds) {}

  static readonly EMPTY = new IntervalSet([]);

  private static make(b: Num[]): IntervalSet {
    return b.length ? new IntervalSet(canonical(b)) : IntervalSet.EMPTY;
  }

  static of(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : IntervalSet.make([lo, hi]);
  }

  /** Builds a normalised set from intervals in any order, overlapping or not. */
  static from(list: Iterable<Interval>): IntervalSet {
    return IntervalSet.fromSorted([...list].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));
  }

  /** Like `from`, for intervals already sorted by their start (merges overlaps and neighbours, no sort). */
  static fromSorted(list: readonly Interval[]): IntervalSet {
    const out: bigint[] = [];
    for (const [lo, hi] of list) {
      const n = out.length;
      if (n && lo <= out[n - 1] + 1n) {
        if (hi > out[n - 1]) out[n - 1] = hi;
      } else if (lo <= hi) out.push(lo, hi);
    }
    return IntervalSet.make(out);
  }

  /** The intervals as bigint pairs (built once per set; the set operations never need them). */
  get intervals(): readonly Interval[] {
    if (!this.cachedIntervals) {
      const b = big(this.b);
      const out: Interval[] = [];
      for (let k = 0; k < b.length; k += 2) out.push([b[k], b[k + 1]]);
      this.cachedIntervals = out;
    }
    return this.cachedIntervals;
  }

  isEmpty(): boolean {
    return this.b.length === 0;
  }

  has(x: bigint): boolean {
    if (!this.b.length) return false;
    const B = this.b as readonly Num[];
    const v: Num = isBig(this.b) ? x : x > SAFE || x < -SAFE ? undefined : Number(x);
    if (v === undefined) return false;
    let lo = 0;
    let hi = B.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (v < B[2 * mid]) hi = mid - 1;
      else if (v > B[2 * mid + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  size(): bigint {
    const b = big(this.b);
    let n = 0n;
    for (let k = 0; k < b.length; k += 2) n += b[k + 1] - b[k] + 1n;
    return n;
  }

  union(o: IntervalSet): IntervalSet {
    if (o.isEmpty() || o === this) return this;
    if (this.isEmpty()) return o;
    // Linear merge of two sorted lists; unions run in the analysis's inner loop.
    const [A, B, one] = align(this.b, o.b);
    const out: Num[] = [];
    let i = 0;
    let j = 0;
    while (i < A.length || j < B.length) {
      let lo: Num;
      let hi: Num;
      if (j >= B.length || (i < A.length && A[i] <= B[j])) {
        lo = A[i];
        hi = A[i + 1];
        i += 2;
      } else {
        lo = B[j];
        hi = B[j + 1];
        j += 2;
      }
      const n = out.length;
      if (n && lo <= out[n - 1] + one) {
        if (hi > out[n - 1]) out[n - 1] = hi;
      } else out.push(lo, hi);
    }
    return IntervalSet.make(out);
  }

  /** True when one interval of `o` spans all of this set. */
  private within(o: IntervalSet): boolean {
    if (this.isEmpty()) return true;
    const [A, B] = align(this.b, o.b);
    const lo = A[0];
    const hi = A[A.length - 1];
    for (let k = 0; k < B.length; k += 2) if (B[k] <= lo && B[k + 1] >= hi) return true;
    return false;
  }

  /** True when the two sets' spans do not even overlap: a cheap "nothing in common". */
  private apart(o: IntervalSet): boolean {
    if (!this.b.length || !o.b.length) return true;
    const [A, B] = align(this.b, o.b);
    return A[A.length - 1] < B[0] || B[B.length - 1] < A[0];
  }

  intersect(o: IntervalSet): IntervalSet {
    if (this.apart(o)) return IntervalSet.EMPTY;
    if (o === this || this.within(o)) return this;
    if (o.b.length === 2 && this.b.length === 2 && o.within(this)) return o;
    const [A, B] = align(this.b, o.b);
    const out: Num[] = [];
    let i = 0;
    let j = 0;
    while (i < A.length && j < B.length) {
      const lo = A[i] > B[j] ? A[i] : B[j];
      const hi = A[i + 1] < B[j + 1] ? A[i + 1] : B[j + 1];
      if (lo <= hi) out.push(lo, hi);
      if (A[i + 1] < B[j + 1]) i += 2;
      else j += 2;
    }
    return IntervalSet.make(out);
  }

  /**
   * This set split by `o` into [the part inside o, the part outside] in one sweep: what intersect and subtract
   * give, without the complement subtract builds. The exposure walk does this for every rule it applies.
   */
  partition(o: IntervalSet): [IntervalSet, IntervalSet] {
    if (this.apart(o)) return [IntervalSet.EMPTY, this];
    if (o === this || this.within(o)) return [this, IntervalSet.EMPTY];
    const [A, B, one] = align(this.b, o.b);
    const inside: Num[] = [];
    const outside: Num[] = [];
    let j = 0;
    for (let i = 0; i < A.length; i += 2) {
      const a = A[i];
      const b = A[i + 1];
      while (j < B.length && B[j + 1] < a) j += 2;
      let lo = a;
      while (lo <= b) {
        if (j >= B.length || B[j] > b) {
          outside.push(lo, b);
          break;
        }
        const c = B[j];
        const d = B[j + 1];
        if (c > lo) outside.push(lo, c - one);
        const end = d < b ? d : b;
        inside.push(c > lo ? c : lo, end);
        lo = end + one;
        if (d <= b) j += 2;
      }
    }
    return [IntervalSet.make(inside), IntervalSet.make(outside)];
  }

  /** Complement within [min, max]. */
  complement(min: bigint, max: bigint): IntervalSet {
    const b = big(this.b);
    const out: bigint[] = [];
    let next = min;
    for (let k = 0; k < b.length; k += 2) {
      if (b[k + 1] < min || b[k] > max) continue;
      if (b[k] > next) out.push(next, b[k] - 1n);
      next = b[k + 1] + 1n;
    }
    if (next <= max) out.push(next, max);
    return IntervalSet.make(out);
  }

  subtract(o: IntervalSet): IntervalSet {
    if (this.isEmpty() || o.isEmpty()) return this;
    if (o === this || this.within(o)) return IntervalSet.EMPTY;
    return this.partition(o)[1];
  }

  covers(o: IntervalSet): boolean {
    return o.subtract(this).isEmpty();
  }

  overlaps(o: IntervalSet): boolean {
    return !this.intersect(o).isEmpty();
  }

  equals(o: IntervalSet): boolean {
    if (this.b.length !== o.b.length) return false;
    // Canonical forms: sets of different element types are never equal (both empty has length 0 above).
    if (this.b.length && isBig(this.b) !== isBig(o.b)) return false;
    const A = this.b as readonly Num[];
    const B = o.b as readonly Num[];
    for (let k = 0; k < A.length; k++) if (A[k] !== B[k]) return false;
    return true;
  }
}
