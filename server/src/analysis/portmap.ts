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
    const out = PortMap.empty();
    for (const [lo, hi] of ports.ranges()) {
      const [a, b] = this.cut(lo, hi);
      for (let i = a; i <= b; i++) {
        const s = this.segs[i];
        if (s.sources.isEmpty()) continue;
        const [hit, rest] = remove ? s.sources.partition(sources) : [s.sources.intersect(sources), s.sources];
        if (hit.isEmpty()) continue;
        out.set(s.lo, s.hi, hit);
        s.sources = rest;
      }
    }
    this.compact();
    out.compact();
    return out;
  }

  /** Adds every (port, source) of another map to this one. */
  add(o: PortMap): void {
    for (const s of o.segs) if (!s.sources.isEmpty()) this.addOn(PortSet.range(s.lo, s.hi), s.sources);
  }

  /** Adds `sources` on every port of `ports`. */
  addOn(ports: PortSet, sources: AddressSet): void {
    for (const [lo, hi] of ports.ranges()) {
      const [a, b] = this.cut(lo, hi);
      for (let i = a; i <= b; i++) this.segs[i].sources = this.segs[i].sources.union(sources);
    }
    this.compact();
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
    for (const s of this.segs) {
      if (s.sources.isEmpty()) continue;
      const g = out.find((x) => x.sources.equals(s.sources));
      if (g) g.ports = g.ports.union(PortSet.range(s.lo, s.hi));
      else out.push({ ports: PortSet.range(s.lo, s.hi), sources: s.sources });
    }
    return out;
  }
}
