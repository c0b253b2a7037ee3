import { IntervalSet } from './intervals';

export const MAX_PORT = 65535;

/** Single ranges built so far, shared: rule after rule names the same port (bounded, so memory stays flat). */
const interned = new Map<number, PortSet>();
const INTERN_LIMIT = 4096;

/** A set of TCP/UDP port numbers (0–65535), kept as disjoint intervals (numbers, never bigints). */
export class PortSet {
  private constructor(private readonly set: IntervalSet) {}

  static readonly ALL = new PortSet(IntervalSet.ofNumbers(0, MAX_PORT));
  static readonly NONE = new PortSet(IntervalSet.EMPTY);

  static range(lo: number, hi: number): PortSet {
    lo = Math.max(0, lo);
    hi = Math.min(MAX_PORT, hi);
    if (lo > hi) return PortSet.NONE;
    if (lo === 0 && hi === MAX_PORT) return PortSet.ALL;
    const key = lo * 65536 + hi;
    let p = interned.get(key);
    if (!p) {
      p = new PortSet(IntervalSet.ofNumbers(lo, hi));
      if (interned.size < INTERN_LIMIT) interned.set(key, p);
    }
    return p;
  }

  static single(p: number): PortSet {
    return PortSet.range(p, p);
  }

  /** Ranges in any order, overlapping or not; bounds outside 0–65535 are clamped, as `range` does. */
  static fromRanges(ranges: Iterable<readonly [number, number]>): PortSet {
    const list = Array.isArray(ranges) ? (ranges as readonly (readonly [number, number])[]) : [...ranges];
    if (list.length === 1) return PortSet.range(list[0][0], list[0][1]);
    const inBounds = list.every(([lo, hi]) => lo >= 0 && hi <= MAX_PORT);
    const clamped = inBounds ? list : list.map(([lo, hi]) => [Math.max(0, lo), Math.min(MAX_PORT, hi)] as const);
    return PortSet.wrap(IntervalSet.fromNumberPairs(clamped));
  }

  /** A set from an operation's result: the operands' own object when the set did not change. */
  private static wrap(set: IntervalSet, a?: PortSet, b?: PortSet): PortSet {
    if (a && set === a.set) return a;
    if (b && set === b.set) return b;
    if (set.isEmpty()) return PortSet.NONE;
    return new PortSet(set);
  }

  private cachedRanges: readonly (readonly [number, number])[] | undefined;

  /** The set as sorted, disjoint [lo, hi] pairs (computed once; callers must not mutate it). */
  ranges(): readonly (readonly [number, number])[] {
    return (this.cachedRanges ??= this.set.numberPairs()!);
  }

  isEmpty(): boolean {
    return this.set.isEmpty();
  }
  isAll(): boolean {
    return this === PortSet.ALL || this.set.equals(PortSet.ALL.set);
  }
  has(p: number): boolean {
    return this.set.hasNumber(p);
  }
  size(): number {
    return Number(this.set.size());
  }
  union(o: PortSet): PortSet {
    return PortSet.wrap(this.set.union(o.set), this, o);
  }
  intersect(o: PortSet): PortSet {
    return PortSet.wrap(this.set.intersect(o.set), this, o);
  }
  subtract(o: PortSet): PortSet {
    return PortSet.wrap(this.set.subtract(o.set), this);
  }
  complement(): PortSet {
    return PortSet.wrap(this.set.complement(0n, BigInt(MAX_PORT)));
  }
  covers(o: PortSet): boolean {
    return this.set.covers(o.set);
  }
  overlaps(o: PortSet): boolean {
    return this.set.overlaps(o.set);
  }
  equals(o: PortSet): boolean {
    return this.set.equals(o.set);
  }

  /** Every port in the set, for small sets only (caller bounds the size). */
  *ports(): Iterable<number> {
    for (const [a, b] of this.ranges()) for (let p = a; p <= b; p++) yield p;
  }

  toString(): string {
    if (this.isAll()) return 'any port';
    return this.ranges().map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
  }
}
