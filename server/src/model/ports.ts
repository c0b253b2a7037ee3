import { IntervalSet } from './intervals';

export const MAX_PORT = 65535;

/** A set of TCP/UDP port numbers (0–65535), kept as disjoint intervals. */
export class PortSet {
  private constructor(private readonly set: IntervalSet) {}

  static readonly ALL = new PortSet(IntervalSet.of(0n, BigInt(MAX_PORT)));
  static readonly NONE = new PortSet(IntervalSet.EMPTY);

  static range(lo: number, hi: number): PortSet {
    return new PortSet(IntervalSet.of(BigInt(Math.max(0, lo)), BigInt(Math.min(MAX_PORT, hi))));
  }

  static single(p: number): PortSet {
    return PortSet.range(p, p);
  }

  static fromRanges(ranges: Iterable<readonly [number, number]>): PortSet {
    return new PortSet(IntervalSet.from([...ranges].map(([a, b]) => [BigInt(a), BigInt(b)] as const)));
  }

  private cachedRanges: readonly (readonly [number, number])[] | undefined;

  /** The set as sorted, disjoint [lo, hi] pairs (computed once; callers must not mutate it). */
  ranges(): readonly (readonly [number, number])[] {
    return (this.cachedRanges ??= this.set.intervals.map(([a, b]) => [Number(a), Number(b)] as const));
  }

  isEmpty(): boolean {
    return this.set.isEmpty();
  }
  isAll(): boolean {
    return this.set.equals(PortSet.ALL.set);
  }
  has(p: number): boolean {
    const r = this.ranges();
    let lo = 0;
    let hi = r.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (p < r[mid][0]) hi = mid - 1;
      else if (p > r[mid][1]) lo = mid + 1;
      else return true;
    }
    return false;
  }
  size(): number {
    return Number(this.set.size());
  }
  union(o: PortSet): PortSet {
    return new PortSet(this.set.union(o.set));
  }
  intersect(o: PortSet): PortSet {
    return new PortSet(this.set.intersect(o.set));
  }
  subtract(o: PortSet): PortSet {
    return new PortSet(this.set.subtract(o.set));
  }
  complement(): PortSet {
    return new PortSet(this.set.complement(0n, BigInt(MAX_PORT)));
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
