/**
 * PC107: IPv4/IPv6 parity. A port that the IPv4 rules keep from the internet but the IPv6 rules open to it
 * is a classic leak (hosts have both addresses; scanners try both). Compares the families of one ruleset
 * (nftables `inet` tables) or the IPv6 file against its IPv4 counterpart (rules.v6 ↔ rules.v4 and similar),
 * and reports on the IPv6 side, the side that exposes.
 */
import type { Transport } from '../knowledge/registry';
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import type { Check } from './check';
import { PortSet } from '../model/ports';
import type { ChainExposure, Exposure, Grant } from './exposure';
import { worldOf } from './world';

export const parity: Check = ({ exposure, counterpart, settings }) => {
  const findings: Finding[] = [];
  const v6Chains = exposure.chains.filter((c) => c.family === 'ipv6');
  const v4Source: Exposure | undefined = exposure.chains.some((c) => c.family === 'ipv4') ? exposure : counterpart?.exposure;
  if (!v6Chains.length || !v4Source) return findings;
  const { reaches } = worldOf(exposure, settings.trusted);
  // The first IPv4 exposure of each chain (by table, name and hook), looked up per IPv6 one: files have hundreds.
  // Names, not chain objects: nftables' `ip filter` and `ip6 filter` hold different chains of one name. Keyed by
  // the name alone (a string the chain has; a key joined per chain cost more than the rest of the check).
  const v4Chains = new Map<string, ChainExposure[]>();
  for (const c of v4Source.chains) {
    if (c.family !== 'ipv4') continue;
    const list = v4Chains.get(c.chain.name);
    if (!list) v4Chains.set(c.chain.name, [c]);
    else if (!sameChainIn(list, c)) list.push(c);
  }
  for (const v6 of v6Chains) {
    const v4 = sameChainIn(v4Chains.get(v6.chain.name), v6);
    if (!v4) continue;
    // What the IPv4 chain opens to the internet: one union per protocol, not one per grant (cloud groups have
    // thousands of grants), made when a grant first asks and kept for this chain alone (files have hundreds).
    let tcp: PortSet | undefined;
    let udp: PortSet | undefined;
    for (let k = 0; k < v6.grants.length; k++) {
      const g = v6.grants[k];
      if (!reaches(g)) continue;
      const open = g.protocol === 'tcp' ? (tcp ??= worldPorts(v4, 'tcp', reaches)) : (udp ??= worldPorts(v4, 'udp', reaches));
      const leaked = g.ports.subtract(open);
      if (leaked.isEmpty()) continue;
      const risky = leaked.ranges().flatMap(([lo, hi]) => settings.risks.risksInRange(lo, hi, g.protocol as Transport));
      const range = g.rule ? g.rule.range : (v6.chain.policyRange ?? v6.chain.range);
      const where = counterpart && v4Source === counterpart.exposure ? `in ${counterpart.path}` : 'in this ruleset';
      findings.push({
        code: 'PC107',
        severity: CODES.PC107.severity,
        range,
        data: g.rule ? { ruleId: g.rule.id } : undefined,
        message: `${g.protocol.toUpperCase()} ${leaked.toString()} is reachable from any IPv6 address through ${g.rule ? 'this rule' : `the ${v6.chain.name} policy`}, but the IPv4 rules ${where} do not open it to the internet${risky.length ? ` (${[...new Set(risky.map((r) => r.service))].slice(0, 3).join(', ')})` : ''}. Hosts are reachable over both; block it for IPv6 too, or open it on purpose in both.`,
      });
    }
  }
  return dedupe(findings);
};

/** The exposure in `list` (chains of one name) of the chain of `ce`'s table and hook. */
function sameChainIn(list: ChainExposure[] | undefined, ce: ChainExposure): ChainExposure | undefined {
  if (list) for (const x of list) if (x.chain.table === ce.chain.table && x.chain.hook === ce.chain.hook) return x;
  return undefined;
}

/** Ports that some interface class of a chain opens to the internet. */
function worldPorts(ce: ChainExposure, protocol: string, reaches: (g: Grant) => boolean): PortSet {
  let ports = PortSet.NONE;
  for (const g of ce.grants) if (g.protocol === protocol && reaches(g)) ports = ports.union(g.ports);
  return ports;
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.range.start.line}:${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
