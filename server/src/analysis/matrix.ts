/**
 * The service matrix: for each chain, which TCP/UDP destination ports accept new connections from which
 * sources, merged into entries that are easy to read and to consume (`portcullis exposure --format json`).
 * An entry without an interface holds whatever interface the packet arrives on.
 */
import { AddressSet } from '../model/addresses';
import { PortSet } from '../model/ports';
import type { Rule } from '../model/ruleset';
import { isLoopback } from './interfaces';
import { PortMap } from './portmap';
import { LOOPBACK_SOURCES, OTHER, type ChainExposure, type Exposure, type Grant, type Transport } from './exposure';

export interface MatrixEntry {
  protocol: Transport;
  ports: PortSet;
  sources: AddressSet;
  /** A concrete interface name, a `prefix+` wildcard class, or `!a,b` for every interface not named. */
  interface?: string;
  rules: Rule[];
  /** True when the policy (not a rule) accepts; `rules` is then empty. */
  byPolicy: boolean;
  approximate: boolean;
  /** Host addresses the ports are bound to, when every accepting rule names them; absent = all. */
  destinations?: AddressSet;
  /** What the approximate verdict depends on (rate limits, a DNAT target's locality …). */
  reasons: string[];
}

export interface ChainMatrix {
  table: string;
  chain: string;
  family: 'ipv4' | 'ipv6';
  /** The hook whose traffic the entries describe, and every base chain (`table/chain`) a packet passes on the way. */
  hook: 'input' | 'forward';
  path: string[];
  entries: MatrixEntry[];
}

export function serviceMatrix(exposure: Exposure): ChainMatrix[] {
  return exposure.chains.map((ce) => ({
    table: ce.chain.table,
    chain: ce.chain.name,
    family: ce.family,
    hook: ce.hook,
    path: ce.path.map((c) => `${c.table}/${c.name}`),
    entries: chainEntries(ce),
  }));
}

function chainEntries(ce: ChainExposure): MatrixEntry[] {
  const entries: MatrixEntry[] = [];
  const named = ce.ifaceClasses.filter((c) => c !== OTHER);
  for (const protocol of ['tcp', 'udp'] as const) {
    const byClass = new Map<string, Grant[]>(ce.ifaceClasses.map((c) => [c, []]));
    for (const g of ce.grants) if (g.protocol === protocol) byClass.get(g.iface)?.push(g);
    // Per interface class, everything accepted as one port → sources map.
    const maps = new Map<string, PortMap>();
    for (const [cls, gs] of byClass) {
      const m = PortMap.empty();
      for (const g of gs) m.addOn(g.ports, g.sources);
      maps.set(cls, m);
    }
    for (const [lo, hi] of cells([...maps.values()])) {
      const cell = PortSet.range(lo, hi);
      // What every interface class accepts needs no interface qualifier. Loopback carries only local
      // sources, so it takes part only with what it can carry: when it does not accept those, the entry
      // says it holds on every interface but loopback.
      let common = maps.get(OTHER)!.at(lo);
      for (const cls of named) if (!isLoopback(cls)) common = common.intersect(maps.get(cls)!.at(lo));
      const loops = named.filter(isLoopback);
      const onLoopback = loops.every((cls) => maps.get(cls)!.at(lo).covers(common.intersect(LOOPBACK_SOURCES)));
      if (!common.isEmpty())
        entries.push(
          entry(protocol, cell, common, onLoopback ? undefined : `!${loops.join(',')}`, contributing(byClass.get(OTHER)!, lo, hi, common)),
        );
      for (const cls of ce.ifaceClasses) {
        const own = maps.get(cls)!.at(lo).subtract(common);
        if (own.isEmpty()) continue;
        const label = cls === OTHER ? `!${named.join(',')}` : cls;
        entries.push(entry(protocol, cell, own, label, contributing(byClass.get(cls)!, lo, hi, own)));
      }
    }
  }
  return merge(entries);
}

/** Grants that accept some of `sources` on ports lo–hi. */
function contributing(grants: Grant[], lo: number, hi: number, sources: AddressSet): Grant[] {
  return grants.filter((g) => g.ports.ranges().some(([a, b]) => a <= hi && b >= lo) && !g.sources.intersect(sources).isEmpty());
}

/** Port intervals on which every map is constant. */
function cells(maps: PortMap[]): [number, number][] {
  const cuts = new Set<number>([0]);
  for (const m of maps) for (const s of m.segments()) cuts.add(s.lo);
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted
    .map((lo, i) => [lo, (sorted[i + 1] ?? 65536) - 1] as [number, number])
    .filter(([lo]) => maps.some((m) => !m.at(lo).isEmpty()));
}

function entry(protocol: Transport, ports: PortSet, sources: AddressSet, iface: string | undefined, grants: Grant[]): MatrixEntry {
  const rules = [...new Set(grants.flatMap((g) => (g.rule ? [g.rule] : [])))].sort((a, b) => a.range.start.line - b.range.start.line);
  const bound =
    grants.length && grants.every((g) => g.destinations) ? grants.reduce((s, g) => s.union(g.destinations!), AddressSet.NONE) : undefined;
  return {
    protocol,
    ports,
    sources,
    ...(iface !== undefined ? { interface: iface } : {}),
    rules,
    byPolicy: grants.some((g) => !g.rule),
    approximate: grants.some((g) => g.approximate),
    reasons: [...new Set(grants.flatMap((g) => g.reasons))],
    ...(bound ? { destinations: bound } : {}),
  };
}

/** Joins entries that differ only in their ports. */
function merge(entries: MatrixEntry[]): MatrixEntry[] {
  const out: MatrixEntry[] = [];
  for (const e of entries) {
    const same = out.find(
      (o) =>
        o.protocol === e.protocol &&
        o.interface === e.interface &&
        o.approximate === e.approximate &&
        o.reasons.join() === e.reasons.join() &&
        o.byPolicy === e.byPolicy &&
        o.sources.equals(e.sources) &&
        sameBound(o.destinations, e.destinations) &&
        o.rules.length === e.rules.length &&
        o.rules.every((r, i) => r === e.rules[i]),
    );
    if (same) same.ports = same.ports.union(e.ports);
    else out.push({ ...e });
  }
  return out;
}

function sameBound(a: AddressSet | undefined, b: AddressSet | undefined): boolean {
  return a === b || (!!a && !!b && a.equals(b));
}

/** The stable JSON contract of `portcullis exposure --format json` and the `portcullis/exposure` request. */
export function matrixJson(matrix: ChainMatrix[]): unknown[] {
  return matrix.map((c) => ({
    table: c.table,
    chain: c.chain,
    family: c.family,
    hook: c.hook,
    path: c.path,
    entries: c.entries.map((e) => ({
      protocol: e.protocol,
      ports: e.ports.ranges().map(([a, b]) => [a, b]),
      sources: e.sources.toCidrs(c.family),
      ...(e.interface !== undefined ? { interface: e.interface } : {}),
      // Bound to every address of the family (0.0.0.0, ::) is the same as unbound: absent means all.
      ...(e.destinations && !(c.family === 'ipv4' ? e.destinations.isAnyV4() : e.destinations.isAnyV6())
        ? { destinations: e.destinations.toCidrs(c.family) }
        : {}),
      rules: e.rules.map((r) => ({ line: r.range.start.line })),
      ...(e.byPolicy ? { policy: true } : {}),
      approximate: e.approximate,
      ...(e.approximate ? { dependsOn: e.reasons } : {}),
    })),
  }));
}
