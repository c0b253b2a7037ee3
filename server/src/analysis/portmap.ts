import { AddressSet } from '../model/addresses';
import { MAX_PORT, PortSet } from '../model/ports';

/** One run of ports that share the same set of sources. */
export interface Segment {
  lo: number;
  hi: number;
  sources: AddressSet;
}

/**
 * A function from every port (0–65535) to a set of source addresses, as sorted, adjacent segments. The
 * exposure walk keeps "sources not yet decided" per port in one of these; a rule touching one port only
 * touches the segments around it.
 */
export class PortMap {
  private constructor(private segs: Segment[]) {}

  static uniform(sources: AddressSet): PortMap {
    return new PortMap([{ lo: 0, hi: MAX_PORT, sources }]);
  }

  static empty(): PortMap {
    return PortMap.uniform(AddressSet.NONE);
  }

  isEmpty(): boolean {
    return this.segs.every((s) => s.sources.isEmpty());
  }

  segments(): readonly Segment[] {
    return this.segs;
  }

  clone(): PortMap {
    return new PortMap(this.segs.map((s) => ({ ...s })));
  }

  /** Splits segments so that lo and hi+1 are segment boundaries; returns the index of the first inside. */
  private cut(lo: number, hi: number): [number, number] {
    this.splitAt(lo);
    if (hi < MAX_PORT) this.splitAt(hi + 1);
    const first = this.find(lo);
    const last = this.find(hi);
    return [first, last];
  }

  private find(port: number): number {
    let a = 0;
    let b = this.segs.length - 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (this.segs[m].hi < port) a = m + 1;
      else b = m;
    }
    return a;
  }

  private splitAt(port: number): void {
    const i = this.find(port);
    const s = this.segs[i];
    if (s.lo === port) return;
    this.segs.splice(i, 1, { lo: s.lo, hi: port - 1, sources: s.sources }, { lo: port, hi: s.hi, sources: s.sources });
  }

  /**
   * Takes out the (ports × sources) part of this map and returns it as a new map. With `remove` false the
   * part stays here too (for matches that may or may not hold).
   */
  take(ports: PortSet, sources: AddressSet, remove: boolean): PortMap {
    const found: Segment[] = [];
    const segs = this.segs;
    for (const r of ports.ranges()) {
      const lo = r[0];
      const hi = r[1];
      // Segments are split only where the rule took something: most rules take nothing from most segments.
      let first = -1;
      let last = -1;
      for (let i = this.find(lo); i < segs.length && segs[i].lo <= hi; i++) {
        const s = segs[i];
        if (s.sources.isEmpty()) continue;
        let hit: AddressSet;
        let rest = s.sources;
        if (remove) [hit, rest] = s.sources.partition(sources);
        else hit = s.sources.intersect(sources);
        if (hit.isEmpty()) continue;
        const a = s.lo < lo ? lo : s.lo;
        const b = s.hi > hi ? hi : s.hi;
        found.push({ lo: a, hi: b, sources: hit });
        if (rest === s.sources) continue;
        if (first < 0) first = i;
        if (a > s.lo) {
          segs.splice(i, 0, { lo: s.lo, hi: a - 1, sources: s.sources });
          i++;
        }
        if (b < s.hi) segs.splice(i + 1, 0, { lo: b + 1, hi: s.hi, sources: s.sources });
        segs[i] = { lo: a, hi: b, sources: rest };
        last = i + (b < s.hi ? 1 : 0);
        i = last;
      }
      if (first >= 0) this.compactWindow(first - 1, last + 1);
    }
    return found.length === 1 && found[0].lo === 0 && found[0].hi === MAX_PORT ? new PortMap(found) : PortMap.fromSparse(found);
  }

  /** Whether any port of `ports` still has one of `sources`; stops at the first. */
  meets(ports: PortSet, sources: AddressSet): boolean {
    for (const r of ports.ranges()) {
      const lo = r[0];
      const hi = r[1];
      for (let i = this.find(lo); i < this.segs.length && this.segs[i].lo <= hi; i++) {
        const s = this.segs[i].sources;
        if (!s.isEmpty() && !s.intersect(sources).isEmpty()) return true;
      }
    }
    return false;
  }

  /** A map from sorted, disjoint segments; the ports between them map to no source. */
  private static fromSparse(found: Segment[]): PortMap {
    const segs: Segment[] = [];
    let next = 0;
    for (const s of found) {
      if (s.lo > next) segs.push({ lo: next, hi: s.lo - 1, sources: AddressSet.NONE });
      segs.push(s);
      next = s.hi + 1;
    }
    if (next <= MAX_PORT) segs.push({ lo: next, hi: MAX_PORT, sources: AddressSet.NONE });
    const map = new PortMap(segs);
    map.compact();
    return map;
  }

  /** Adds every (port, source) of another map to this one: segment by segment when it has few, else in one merge. */
  add(o: PortMap): void {
    // Two maps of one segment each (a rule on every port, the common case): one union, no merge.
    if (this.segs.length === 1 && o.segs.length === 1) {
      const s = this.segs[0];
      this.segs[0] = { lo: 0, hi: MAX_PORT, sources: s.sources.union(o.segs[0].sources) };
      return;
    }
    let parts = 0;
    for (const s of o.segs) if (!s.sources.isEmpty()) parts++;
    if (parts * 8 < this.segs.length) {
      for (const s of o.segs) if (!s.sources.isEmpty()) this.addOn(PortSet.range(s.lo, s.hi), s.sources);
      return;
    }
    const a = this.segs;
    const b = o.segs;
    const out: Segment[] = [];
    let i = 0;
    let j = 0;
    for (let lo = 0; lo <= MAX_PORT;) {
      const hi = Math.min(a[i].hi, b[j].hi);
      const sources = b[j].sources.isEmpty() ? a[i].sources : a[i].sources.union(b[j].sources);
      const prev = out[out.length - 1];
      if (prev && (prev.sources === sources || prev.sources.equals(sources))) prev.hi = hi;
      else out.push({ lo, hi, sources });
      if (a[i].hi === hi) i++;
      if (b[j].hi === hi) j++;
      lo = hi + 1;
    }
    this.segs = out;
  }

  /** Adds `sources` on every port of `ports`. */
  addOn(ports: PortSet, sources: AddressSet): void {
    for (const r of ports.ranges()) {
      const lo = r[0];
      const hi = r[1];
      const [a, b] = this.cut(lo, hi);
      for (let i = a; i <= b; i++) this.segs[i].sources = this.segs[i].sources.union(sources);
      this.compactWindow(a - 1, b + 1);
    }
  }

  /** The (port, source) pairs this map shares with another, as a new map; neither changes. */
  common(o: PortMap): PortMap {
    const copy = this.clone();
    const out = PortMap.empty();
    for (const s of o.segs) if (!s.sources.isEmpty()) out.add(copy.take(PortSet.range(s.lo, s.hi), s.sources, true));
    return out;
  }

  /** This map without the (port, source) pairs of another, as a new map. */
  minus(o: PortMap): PortMap {
    const copy = this.clone();
    for (const s of o.segs) if (!s.sources.isEmpty()) copy.take(PortSet.range(s.lo, s.hi), s.sources, true);
    return copy;
  }

  /** Sources for one port. */
  at(port: number): AddressSet {
    return this.segs[this.find(port)].sources;
  }

  equals(o: PortMap): boolean {
    return (
      this.segs.length === o.segs.length &&
      this.segs.every((s, i) => s.lo === o.segs[i].lo && s.hi === o.segs[i].hi && s.sources.equals(o.segs[i].sources))
    );
  }

  private set(lo: number, hi: number, sources: AddressSet): void {
    const [a, b] = this.cut(lo, hi);
    for (let i = a; i <= b; i++) this.segs[i].sources = sources;
  }

  /** Merges neighbours with equal sources among segments a..b only: a rule touching a few ports stays cheap on a long map. */
  private compactWindow(a: number, b: number): void {
    const segs = this.segs;
    const from = Math.max(0, a);
    const to = Math.min(segs.length - 1, b);
    let w = from;
    for (let r = from + 1; r <= to; r++) {
      const s = segs[r];
      if (segs[w].sources === s.sources || segs[w].sources.equals(s.sources)) segs[w].hi = s.hi;
      else segs[++w] = s;
    }
    if (to > w) segs.splice(w + 1, to - w);
  }

  /** Merges neighbours with equal sources. */
  private compact(): void {
    const segs = this.segs;
    let w = 0;
    for (let r = 1; r < segs.length; r++) {
      const s = segs[r];
      if (segs[w].sources === s.sources || segs[w].sources.equals(s.sources)) segs[w].hi = s.hi;
      else segs[++w] = s;
    }
    segs.length = w + 1;
  }

  /** Ports whose source set is not empty, grouped by equal source sets. */
  groups(): { ports: PortSet; sources: AddressSet }[] {
    const out: { ports: PortSet; sources: AddressSet }[] = [];
    const same = new Map<AddressSet, { ports: PortSet; sources: AddressSet }>();
    for (const s of this.segs) {
      if (s.sources.isEmpty()) continue;
      // The same set object first; a linear search for equal sets only while that stays cheap.
      const g = same.get(s.sources) ?? (out.length < 256 ? out.find((x) => x.sources.equals(s.sources)) : undefined);
      if (g) g.ports = g.ports.union(PortSet.range(s.lo, s.hi));
      else {
        const group = { ports: PortSet.range(s.lo, s.hi), sources: s.sources };
        out.push(group);
        same.set(s.sources, group);
      }
    }
    return out;
  }
}
