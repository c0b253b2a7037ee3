/**
 * What a ruleset says about the ports it names, for comparison with a probe of the real host: each port a
 * rule mentions, with the protocol and whether the file lets new connections in from outside.
 */
import { isLoopback } from './interfaces';
import { AddressSet } from '../model/addresses';
import type { Range } from '../model/range';
import type { Ruleset } from '../model/ruleset';
import { allChains, allRules } from '../model/ruleset';
import type { Exposure, Transport } from './exposure';

export type Expected = 'open' | 'blocked' | 'restricted';

export interface ListedPort {
  port: number;
  protocol: Transport;
  /** open: some non-loopback source may connect from anywhere; restricted: only some sources; blocked: none. */
  expected: Expected;
  /** Where the file names this port (the first mention), for diagnostics and "reveal rule". */
  range: Range;
  line: number;
}

/** Ranges wider than this are not expanded into single ports (a probe of 1000:2000 is the user's call). */
const MAX_RANGE = 64;

export function listedPorts(rs: Ruleset, exposure: Exposure): ListedPort[] {
  const seen = new Map<string, ListedPort>();
  // Ports a service-port file only declares (compose `expose:`, a Dockerfile's EXPOSE) are not on the host.
  // In a file that publishes nothing by design (no chain on a hook: a Dockerfile) they are what the
  // workload listens on, so a probe of the container expects them open; elsewhere they are not listed.
  const publishes = allChains(rs).some((c) => c.hook);
  for (const rule of allRules(rs)) {
    const declared = !!rule.listener && !rule.listener.published;
    if (declared && publishes) continue;
    const protocols = rule.conditions
      .flatMap((c) => (c.kind === 'protocol' && !c.negated ? c.protocols : []))
      .filter((p): p is Transport => p === 'tcp' || p === 'udp');
    for (const c of rule.conditions) {
      if ((c.kind !== 'dport' && c.kind !== 'port') || c.negated) continue;
      for (const item of c.items) {
        if (item.hi - item.lo >= MAX_RANGE) continue;
        for (let port = item.lo; port <= item.hi; port++) {
          for (const protocol of protocols.length ? protocols : (['tcp', 'udp'] as const)) {
            const key = `${port}/${protocol}`;
            if (!seen.has(key))
              seen.set(key, {
                port,
                protocol,
                expected: declared ? 'open' : expectation(exposure, port, protocol),
                range: item.range,
                line: item.range.start.line,
              });
          }
        }
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

export function expectation(exposure: Exposure, port: number, protocol: Transport): Expected {
  let sources = AddressSet.NONE;
  for (const ce of exposure.chains) {
    if (ce.chain.hook !== 'input') continue;
    for (const g of ce.grants) if (g.protocol === protocol && !isLoopback(g.iface) && g.ports.has(port)) sources = sources.union(g.sources);
  }
  if (sources.isEmpty()) return 'blocked';
  return sources.isAnyV4() || sources.isAnyV6() ? 'open' : 'restricted';
}
