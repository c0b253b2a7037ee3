/**
 * The service matrix: for each chain, which TCP/UDP destination ports accept new connections from which
 * sources, merged into entries that are easy to read and to consume (`portcullis exposure --format json`).
 * An entry without an interface holds whatever interface the packet arrives on.
 */
import { AddressSet } from '../model/addresses';
import { PortSet } from '../model/ports';
import type { Rule } from '../model/ruleset';
import { isLoopback } from './interfaces';
import { OTHER, type ChainExposure, type Exposure, type Grant, type Transport } from './exposure';

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
}

export interface ChainMatrix {
  table: string;
  chain: string;
  family: 'ipv4' | 'ipv6';
  entries: MatrixEntry[];
}

export function serviceMatrix(exposure: Exposure): ChainMatrix[] {
  return exposure.chains.map((ce) => ({ table: ce.chain.table, chain: ce.chain.name, family: ce.family, entries: chainEntries(ce) }));
}

function chainEntries(ce: ChainExposure): MatrixEntry[] {
  const entries: MatrixEntry[] = [];
  const named = ce.ifaceClasses.filter((c) => c !== OTHER);
  for (const protocol of ['tcp', 'udp'] as const) {
    const grants = ce.grants.filter((g) => g.protocol === protocol);
    if (!grants.length) continue;
    for (const [lo, hi] of portClasses(grants)) {
      const cell = PortSet.range(lo, hi);
      const here = grants.filter((g) => g.ports.has(lo));
      const byClass = new Map<string, Grant[]>();
      for (const cls of ce.ifaceClasses) byClass.set(cls, here.filter((g) => g.iface === cls));
      const sourcesOf = (gs: Grant[]) => gs.reduce((s, g) => s.union(g.sources), AddressSet.NONE);
      // What every interface class accepts needs no interface qualifier. Loopback carries only local sources,
      // so it takes part only with what it can carry.
      let common = sourcesOf(byClass.get(OTHER)!);
      for (const cls of named) if (!isLoopback(cls)) common = common.intersect(sourcesOf(byClass.get(cls)!));
      if (!common.isEmpty()) entries.push(entry(protocol, cell, common, undefined, here.filter((g) => g.sources.intersect(common).isEmpty() === false)));
      for (const cls of ce.ifaceClasses) {
        const own = sourcesOf(byClass.get(cls)!).subtract(common);
        if (own.isEmpty()) continue;
        const label = cls === OTHER ? `!${named.join(',')}` : cls;
        entries.push(entry(protocol, cell, own, label, byClass.get(cls)!.filter((g) => !g.sources.intersect(own).isEmpty())));
      }
    }
  }
  return merge(entries);
}

function entry(protocol: Transport, ports: PortSet, sources: AddressSet, iface: string | undefined, grants: Grant[]): MatrixEntry {
  const rules = [...new Set(grants.flatMap((g) => (g.rule ? [g.rule] : [])))].sort((a, b) => a.range.start.line - b.range.start.line);
  return { protocol, ports, sources, ...(iface !== undefined ? { interface: iface } : {}), rules, byPolicy: grants.some((g) => !g.rule), approximate: grants.some((g) => g.approximate) };
}

/** Port intervals on which no grant starts or ends: each is answered the same way throughout. */
function portClasses(grants: Grant[]): [number, number][] {
  const cuts = new Set<number>();
  for (const g of grants) for (const [lo, hi] of g.ports.ranges()) {
    cuts.add(lo);
    cuts.add(hi + 1);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const lo = sorted[i];
    const hi = sorted[i + 1] - 1;
    if (grants.some((g) => g.ports.has(lo))) out.push([lo, hi]);
  }
  return out;
}

/** Joins entries that differ only in their ports. */
function merge(entries: MatrixEntry[]): MatrixEntry[] {
  const out: MatrixEntry[] = [];
  for (const e of entries) {
    const same = out.find((o) => o.protocol === e.protocol && o.interface === e.interface && o.approximate === e.approximate && o.byPolicy === e.byPolicy && o.sources.equals(e.sources) && o.rules.length === e.rules.length && o.rules.every((r, i) => r === e.rules[i]));
    if (same) same.ports = same.ports.union(e.ports);
    else out.push({ ...e });
  }
  return out;
}

/** The stable JSON contract of `portcullis exposure --format json` and the `portcullis/exposure` request. */
export function matrixJson(matrix: ChainMatrix[]): unknown[] {
  return matrix.map((c) => ({
    table: c.table,
    chain: c.chain,
    family: c.family,
    entries: c.entries.map((e) => ({
      protocol: e.protocol,
      ports: e.ports.ranges().map(([a, b]) => [a, b]),
      sources: e.sources.toCidrs(c.family),
      ...(e.interface !== undefined ? { interface: e.interface } : {}),
      rules: e.rules.map((r) => ({ line: r.range.start.line })),
      ...(e.byPolicy ? { policy: true } : {}),
      approximate: e.approximate,
    })),
  }));
}
