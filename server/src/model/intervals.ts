/**
 * Sorted, disjoint, non-adjacent closed intervals of integers. The shared engine behind PortSet and
 * AddressSet: both are sets of integers (ports 0–65535, IPv4 as 32-bit and IPv6 as 128-bit numbers).
 *
 * The public interface speaks bigint so IPv6 is exact, but a set whose every bound fits in a double (ports,
 * IPv4, the exposure walk's IPv4 keyed by interface class, low IPv6) keeps its bounds in one plain array of numbers
 * [lo0, hi0, lo1, hi1, …]: the walk runs millions of set operations, and bigint arithmetic or an array per
 * result allocates on every step (a profile of the largest corpus ruleset spent a third of its time in GC). Not a
 * Float64Array: V8 keeps one of more than 64 bytes outside the heap, and allocating and collecting those cost ten
 * times a plain array's (measured on the keyed sets of tum-net).
 * Operations on two number sets write into a reused scratch buffer and copy the result out once, or return an
 * operand when the result equals it. Other sets keep a bigint array. The form is canonical — numbers exactly
 * when every bound is within ±(2^53 − 1) — so equal sets have equal forms; an operation on a number set and a
 * bigint set converts the number side.
 */
export type Interval = readonly [bigint, bigint];

const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);
const NO_BIGS: readonly bigint[] = [];

/** Reused output buffers for number sets; no operation calls out while it writes, so sharing them is safe. */
let scratchA = doubles(256);
let scratchB = doubles(256);
/** A packed array of n doubles (one elements kind for every buffer, so the sweeps below stay monomorphic). */
function doubles(n: number): number[] {
  const a: number[] = [];
  for (let k = 0; k < n; k++) a.push(0.5);
  return a;
}
function roomA(n: number): number[] {
  if (scratchA.length < n) scratchA = doubles(Math.max(n, scratchA.length * 2));
  return scratchA;
}
function roomB(n: number): number[] {
  if (scratchB.length < n) scratchB = doubles(Math.max(n, scratchB.length * 2));
  return scratchB;
}

function sameBounds(a: readonly number[], buf: readonly number[], n: number): boolean {
  if (a.length !== n) return false;
  for (let k = 0; k < n; k++) if (a[k] !== buf[k]) return false;
  return true;
}

export class IntervalSet {
  private cachedIntervals: readonly Interval[] | undefined;

  /** Exactly one form is in use: `nums` (possibly empty) when `bigs` is empty, else `bigs` with `nums` null. */
  private constructor(
    private readonly nums: readonly number[] | null,
    private readonly bigs: readonly bigint[],
  ) {}

  static readonly EMPTY = new IntervalSet([], NO_BIGS);

  private static ofNums(b: number[]): IntervalSet {
    return b.length ? new IntervalSet(b, NO_BIGS) : IntervalSet.EMPTY;
  }

  /** The canonical set of freshly computed bigint bounds. */
  private static ofBigs(b: bigint[]): IntervalSet {
    if (!b.length) return IntervalSet.EMPTY;
    if (b[0] >= -SAFE_BIG && b[b.length - 1] <= SAFE_BIG) return new IntervalSet(b.map(Number), NO_BIGS);
    return new IntervalSet(null, b);
  }

  static of(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : IntervalSet.ofBigs([lo, hi]);
  }

  /** One interval of safe integers (ports, IPv4), without bigints. */
  static ofNumbers(lo: number, hi: number): IntervalSet {
    if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi))) throw new RangeError(`not safe integers: ${lo}, ${hi}`);
    if (lo > hi) return IntervalSet.EMPTY;
    const b = scratchA.slice(0, 2);
    b[0] = lo;
    b[1] = hi;
    return new IntervalSet(b, NO_BIGS);
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
    return IntervalSet.ofBigs(out);
  }

  /** Like `from`, for pairs of safe integers (ports): sorted and merged without bigints. */
  static fromNumberPairs(list: readonly (readonly [number, number])[]): IntervalSet {
    for (const [lo, hi] of list)
      if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi))) throw new RangeError(`not safe integers: ${lo}, ${hi}`);
    const sorted = list.length < 2 ? list : [...list].sort((x, y) => x[0] - y[0]);
    const out = roomA(2 * sorted.length);
    let n = 0;
    for (const [lo, hi] of sorted) {
      if (n && lo <= out[n - 1] + 1) {
        if (hi > out[n - 1]) out[n - 1] = hi;
      } else if (lo <= hi) {
        out[n++] = lo;
        out[n++] = hi;
      }
    }
    return IntervalSet.ofNums(out.slice(0, n));
  }

  /** The intervals as bigint pairs (built once per set; the set operations never need them). */
  get intervals(): readonly Interval[] {
    if (!this.cachedIntervals) {
      const out: Interval[] = [];
      if (this.nums) for (let k = 0; k < this.nums.length; k += 2) out.push([BigInt(this.nums[k]), BigInt(this.nums[k + 1])]);
      else for (let k = 0; k < this.bigs.length; k += 2) out.push([this.bigs[k], this.bigs[k + 1]]);
      this.cachedIntervals = out;
    }
    return this.cachedIntervals;
  }

  /** The bounds (lo, hi, lo, hi …) when every bound is a safe integer, else undefined. Read only: never write to it. */
  numberBounds(): readonly number[] | undefined {
    return this.nums ?? undefined;
  }

  /** A set from sorted lo/hi bounds of safe integers (merges overlaps and neighbours); takes ownership of `b`. */
  static fromSortedBounds(b: number[]): IntervalSet {
    let n = 0;
    for (let k = 0; k < b.length; k += 2) {
      const lo = b[k];
      const hi = b[k + 1];
      if (n && lo <= b[n - 1] + 1) {
        if (hi > b[n - 1]) b[n - 1] = hi;
      } else if (lo <= hi) {
        b[n++] = lo;
        b[n++] = hi;
      }
    }
    b.length = n;
    return IntervalSet.ofNums(b);
  }

  /** The intervals as number pairs when every bound is a safe integer (ports, IPv4), else undefined. */
  numberPairs(): [number, number][] | undefined {
    const b = this.nums;
    if (!b) return undefined;
    const out: [number, number][] = [];
    for (let k = 0; k < b.length; k += 2) out.push([b[k], b[k + 1]]);
    return out;
  }

  /** How many intervals the set has. */
  get count(): number {
    return (this.nums ? this.nums.length : this.bigs.length) / 2;
  }

  isEmpty(): boolean {
    return this.nums !== null && this.nums.length === 0;
  }

  has(x: bigint): boolean {
    if (this.nums) {
      if (x > SAFE_BIG || x < -SAFE_BIG) return false;
      return search(this.nums, Number(x));
    }
    const B = this.bigs;
    let lo = 0;
    let hi = B.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (x < B[2 * mid]) hi = mid - 1;
      else if (x > B[2 * mid + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** `has` for a safe integer, without a bigint. */
  hasNumber(x: number): boolean {
    if (this.nums) return search(this.nums, x);
    return Number.isSafeInteger(x) && this.has(BigInt(x));
  }

  size(): bigint {
    if (this.nums) {
      let s = 0;
      for (let k = 0; k < this.nums.length; k += 2) s += this.nums[k + 1] - this.nums[k] + 1;
      if (s <= SAFE) return BigInt(s);
    }
    const b = this.big();
    let n = 0n;
    for (let k = 0; k < b.length; k += 2) n += b[k + 1] - b[k] + 1n;
    return n;
  }

  /**
   * The result in scratchA (or scratchB)[0, n): this set or `o` when equal to one of them, else a copy. The buffer
   * is read here, after the algorithm that may have grown it has run.
   */
  private result(n: number, inB: boolean, o?: IntervalSet): IntervalSet {
    if (n === 0) return IntervalSet.EMPTY;
    const buf = inB ? scratchB : scratchA;
    if (sameBounds(this.nums!, buf, n)) return this;
    if (o && sameBounds(o.nums!, buf, n)) return o;
    return new IntervalSet(buf.slice(0, n), NO_BIGS);
  }

  union(o: IntervalSet): IntervalSet {
    if (o.isEmpty() || o === this) return this;
    if (this.isEmpty()) return o;
    if (this.nums && o.nums) return this.result(unionNums(this.nums, o.nums), false, o);
    return IntervalSet.ofBigs(unionBigs(this.big(), o.big()));
  }

  /** True when one interval of `o` spans all of this set. */
  private within(o: IntervalSet): boolean {
    if (this.isEmpty()) return true;
    if (this.nums && o.nums) {
      const lo = this.nums[0];
      const hi = this.nums[this.nums.length - 1];
      const B = o.nums;
      for (let k = 0; k < B.length; k += 2) if (B[k] <= lo && B[k + 1] >= hi) return true;
      return false;
    }
    // One set of doubles and one of bigints: compare bound by bound rather than convert a whole set.
    const lo = this.bound(0);
    const hi = this.bound(this.bounds() - 1);
    for (let k = 0; k < o.bounds(); k += 2) if (o.bound(k) <= lo && o.bound(k + 1) >= hi) return true;
    return false;
  }

  /** Number of bounds (twice the intervals). */
  private bounds(): number {
    return this.nums ? this.nums.length : this.bigs.length;
  }

  /** Bound k as a bigint. */
  private bound(k: number): bigint {
    return this.nums ? BigInt(this.nums[k]) : this.bigs[k];
  }

  /** True when the two sets' spans do not even overlap: a cheap "nothing in common". */
  private apart(o: IntervalSet): boolean {
    if (this.isEmpty() || o.isEmpty()) return true;
    if (this.nums && o.nums) {
      const A = this.nums;
      const B = o.nums;
      return A[A.length - 1] < B[0] || B[B.length - 1] < A[0];
    }
    return this.bound(this.bounds() - 1) < o.bound(0) || o.bound(o.bounds() - 1) < this.bound(0);
  }

  intersect(o: IntervalSet): IntervalSet {
    if (this.apart(o)) return IntervalSet.EMPTY;
    if (o === this || this.within(o)) return this;
    if (o.within(this)) return o;
    if (this.nums && o.nums) return this.result(intersectNums(this.nums, o.nums), false, o);
    return IntervalSet.ofBigs(intersectBigs(this.big(), o.big()));
  }

  /**
   * This set split by `o` into [the part inside o, the part outside] in one sweep: what intersect and subtract
   * give, without the complement subtract builds. The exposure walk does this for every rule it applies.
   */
  partition(o: IntervalSet): [IntervalSet, IntervalSet] {
    if (this.apart(o)) return [IntervalSet.EMPTY, this];
    if (o === this || this.within(o)) return [this, IntervalSet.EMPTY];
    if (this.nums && o.nums) {
      const nIn = partitionNums(this.nums, o.nums);
      return [this.result(nIn, false, o), this.result(outsideCount, true)];
    }
    const [inside, outside] = partitionBigs(this.big(), o.big());
    return [IntervalSet.ofBigs(inside), IntervalSet.ofBigs(outside)];
  }

  /** Complement within [min, max]. */
  complement(min: bigint, max: bigint): IntervalSet {
    if (this.nums && min >= -SAFE_BIG && max <= SAFE_BIG) return this.result(complementNums(this.nums, Number(min), Number(max)), false);
    const b = this.big();
    const out: bigint[] = [];
    let next = min;
    for (let k = 0; k < b.length; k += 2) {
      if (b[k + 1] < min || b[k] > max) continue;
      if (b[k] > next) out.push(next, b[k] - 1n);
      next = b[k + 1] + 1n;
    }
    if (next <= max) out.push(next, max);
    return IntervalSet.ofBigs(out);
  }

  subtract(o: IntervalSet): IntervalSet {
    // Nothing in common (a port taken before by another rule, far away): this set, without partition's pair.
    if (this.apart(o)) return this;
    if (o === this || this.within(o)) return IntervalSet.EMPTY;
    return this.partition(o)[1];
  }

  /** Every element of `o` is in this set (no set is built). */
  covers(o: IntervalSet): boolean {
    if (o.isEmpty() || o === this) return true;
    if (this.isEmpty()) return false;
    if (this.nums && o.nums) return coversNums(this.nums, o.nums);
    return o.subtract(this).isEmpty();
  }

  /** The two sets share an element (no set is built). */
  overlaps(o: IntervalSet): boolean {
    if (this.apart(o)) return false;
    if (this.nums && o.nums) return overlapsNums(this.nums, o.nums);
    return !this.intersect(o).isEmpty();
  }

  equals(o: IntervalSet): boolean {
    if (o === this) return true;
    // Canonical forms: sets of different forms are never equal.
    if (this.nums && o.nums) return sameBounds(o.nums, this.nums, this.nums.length);
    if (this.nums || o.nums) return false;
    const A = this.bigs;
    const B = o.bigs;
    if (A.length !== B.length) return false;
    for (let k = 0; k < A.length; k++) if (A[k] !== B[k]) return false;
    return true;
  }

  /** The bounds as bigints, converted for an operation with a bigint set. */
  private big(): readonly bigint[] {
    return this.nums ? Array.from(this.nums, BigInt) : this.bigs;
  }
}

function search(B: readonly number[], v: number): boolean {
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

// Number-form algorithms: each writes its result to a scratch buffer and returns the number of bounds written.

function unionNums(A: readonly number[], B: readonly number[]): number {
  const out = roomA(A.length + B.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < A.length || j < B.length) {
    let lo: number;
    let hi: number;
    if (j >= B.length || (i < A.length && A[i] <= B[j])) {
      lo = A[i];
      hi = A[i + 1];
      i += 2;
    } else {
      lo = B[j];
      hi = B[j + 1];
      j += 2;
    }
    if (n && lo <= out[n - 1] + 1) {
      if (hi > out[n - 1]) out[n - 1] = hi;
    } else {
      out[n++] = lo;
      out[n++] = hi;
    }
  }
  return n;
}

function intersectNums(A: readonly number[], B: readonly number[]): number {
  const out = roomA(A.length + B.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < A.length && j < B.length) {
    const lo = A[i] > B[j] ? A[i] : B[j];
    const hi = A[i + 1] < B[j + 1] ? A[i + 1] : B[j + 1];
    if (lo <= hi) {
      out[n++] = lo;
      out[n++] = hi;
    }
    if (A[i + 1] < B[j + 1]) i += 2;
    else j += 2;
  }
  return n;
}

/** The length of partitionNums's outside part. */
let outsideCount = 0;

/** Inside goes to scratchA (its length is returned), outside to scratchB (its length in outsideCount). */
function partitionNums(A: readonly number[], B: readonly number[]): number {
  const inside = roomA(A.length + B.length);
  const outside = roomB(A.length + B.length);
  let nIn = 0;
  let nOut = 0;
  let j = 0;
  for (let i = 0; i < A.length; i += 2) {
    const a = A[i];
    const b = A[i + 1];
    while (j < B.length && B[j + 1] < a) j += 2;
    let lo = a;
    while (lo <= b) {
      if (j >= B.length || B[j] > b) {
        outside[nOut++] = lo;
        outside[nOut++] = b;
        break;
      }
      const c = B[j];
      const d = B[j + 1];
      if (c > lo) {
        outside[nOut++] = lo;
        outside[nOut++] = c - 1;
      }
      const end = d < b ? d : b;
      inside[nIn++] = c > lo ? c : lo;
      inside[nIn++] = end;
      lo = end + 1;
      if (d <= b) j += 2;
    }
  }
  outsideCount = nOut;
  return nIn;
}

function complementNums(A: readonly number[], min: number, max: number): number {
  const out = roomA(A.length + 2);
  let n = 0;
  let next = min;
  for (let k = 0; k < A.length; k += 2) {
    if (A[k + 1] < min || A[k] > max) continue;
    if (A[k] > next) {
      out[n++] = next;
      out[n++] = A[k] - 1;
    }
    next = A[k + 1] + 1;
  }
  if (next <= max) {
    out[n++] = next;
    out[n++] = max;
  }
  return n;
}

/** Every interval of B lies inside one interval of A (intervals are disjoint and non-adjacent). */
function coversNums(A: readonly number[], B: readonly number[]): boolean {
  let i = 0;
  for (let j = 0; j < B.length; j += 2) {
    while (i < A.length && A[i + 1] < B[j]) i += 2;
    if (i >= A.length || A[i] > B[j] || A[i + 1] < B[j + 1]) return false;
  }
  return true;
}

function overlapsNums(A: readonly number[], B: readonly number[]): boolean {
  let i = 0;
  let j = 0;
  while (i < A.length && j < B.length) {
    if (A[i + 1] < B[j]) i += 2;
    else if (B[j + 1] < A[i]) j += 2;
    else return true;
  }
  return false;
}

// Bigint-form algorithms (IPv6 and anything beyond 2^53): the same sweeps over bigint arrays.

function unionBigs(A: readonly bigint[], B: readonly bigint[]): bigint[] {
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < A.length || j < B.length) {
    let lo: bigint;
    let hi: bigint;
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
    if (n && lo <= out[n - 1] + 1n) {
      if (hi > out[n - 1]) out[n - 1] = hi;
    } else out.push(lo, hi);
  }
  return out;
}

function intersectBigs(A: readonly bigint[], B: readonly bigint[]): bigint[] {
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < A.length && j < B.length) {
    const lo = A[i] > B[j] ? A[i] : B[j];
    const hi = A[i + 1] < B[j + 1] ? A[i + 1] : B[j + 1];
    if (lo <= hi) out.push(lo, hi);
    if (A[i + 1] < B[j + 1]) i += 2;
    else j += 2;
  }
  return out;
}

function partitionBigs(A: readonly bigint[], B: readonly bigint[]): [bigint[], bigint[]] {
  const inside: bigint[] = [];
  const outside: bigint[] = [];
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
      if (c > lo) outside.push(lo, c - 1n);
      const end = d < b ? d : b;
      inside.push(c > lo ? c : lo, end);
      lo = end + 1n;
      if (d <= b) j += 2;
    }
  }
  return [inside, outside];
}
