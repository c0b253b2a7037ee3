/**
 * Reads `iptables -L -n` listings (the verified simplified rulesets in ../shared/corpus/iptables-golden/
 * simplified/) and evaluates them first-match for new TCP/UDP connections to one destination port.
 *
 * The listings hold only target, protocol, source, destination and `tcp/udp spt:/spts:/dpt:/dpts:`; no
 * interfaces (they were rewritten or dropped by the simplification), no negation.
 */
import { AddressSet } from '../../server/src/model/addresses';
import { PortSet } from '../../server/src/model/ports';

export interface ListedRule {
  target: string;
  protocol: string;
  source: AddressSet;
  destination: AddressSet;
  /** Text of the destination column, e.g. "0.0.0.0/0". */
  destText: string;
  dport?: PortSet;
  sport?: PortSet;
  line: number;
}

export interface ListedChain {
  name: string;
  policy: string;
  rules: ListedRule[];
}

function ports(text: string): PortSet {
  const [a, b] = text.split(':').map(Number);
  return PortSet.range(a, b ?? a);
}

export function parseListing(text: string): Map<string, ListedChain> {
  const chains = new Map<string, ListedChain>();
  let cur: ListedChain | undefined;
  text.split('\n').forEach((raw, idx) => {
    const line = raw.trim();
    const head = /^Chain (\S+) \(policy (\w+)/.exec(line);
    if (head) {
      cur = { name: head[1], policy: head[2], rules: [] };
      chains.set(cur.name, cur);
      return;
    }
    if (!line || line.startsWith('target') || !cur) return;
    const f = line.split(/\s+/);
    if (f.length < 5) throw new Error(`listing line ${idx + 1}: cannot read \`${line}\``);
    const [target, protocol, , src, dst, ...extra] = f;
    const source = AddressSet.parse(src);
    const destination = AddressSet.parse(dst);
    if (!source || !destination) throw new Error(`listing line ${idx + 1}: bad address in \`${line}\``);
    const rule: ListedRule = { target, protocol, source, destination, destText: dst, line: idx + 1 };
    for (const e of extra) {
      const m = /^(spts?|dpts?):(\d+(?::\d+)?)$/.exec(e);
      if (m) {
        if (m[1].startsWith('d')) rule.dport = ports(m[2]);
        else rule.sport = ports(m[2]);
      } else if (e !== 'tcp' && e !== 'udp') throw new Error(`listing line ${idx + 1}: unknown match \`${e}\``);
    }
    cur.rules.push(rule);
  });
  return chains;
}

const ANY_DEST = AddressSet.parse('0.0.0.0/0')!;

function protoMatches(rule: ListedRule, protocol: 'tcp' | 'udp'): boolean {
  return rule.protocol === 'all' || rule.protocol === protocol || rule.protocol === (protocol === 'tcp' ? '6' : '17');
}

/**
 * Sources for which SOME new connection (any destination, any source port) to `port` may be accepted, as an
 * over-approximation: a rule that also tests the destination or the source port counts when it accepts and
 * removes nothing when it drops (the same treatment the exposure analysis gives such tests).
 */
export function acceptsSomeUpper(chain: ListedChain, protocol: 'tcp' | 'udp', port: number): AddressSet {
  let remaining = AddressSet.ANY_V4;
  let accepted = AddressSet.NONE;
  for (const r of chain.rules) {
    if (!protoMatches(r, protocol) || (r.dport && !r.dport.has(port))) continue;
    const hit = remaining.intersect(r.source);
    if (hit.isEmpty()) continue;
    const exact = r.destination.isAnyV4() && !r.sport;
    if (r.target === 'ACCEPT') accepted = accepted.union(hit);
    if (exact) remaining = remaining.subtract(r.source);
    if (remaining.isEmpty()) break;
  }
  if (chain.policy === 'ACCEPT') accepted = accepted.union(remaining);
  return accepted;
}

/**
 * Sources for which a new connection to `port` from source port 10000 is certainly accepted for at least one
 * destination, as an under-approximation: the exact first-match answer for a set of witness destinations
 * (the first address of each destination an ACCEPT for the port names, and one address no rule names),
 * united.
 */
export function acceptsSomeLower(chain: ListedChain, protocol: 'tcp' | 'udp', port: number, sourcePort = 10000): AddressSet {
  const relevant = chain.rules.filter(
    (r) => protoMatches(r, protocol) && (!r.dport || r.dport.has(port)) && (!r.sport || r.sport.has(sourcePort)),
  );
  const witnesses = new Map<string, string>();
  witnesses.set('unnamed', '198.51.100.77');
  for (const r of relevant) {
    if (r.target !== 'ACCEPT' || r.destination.isAnyV4()) continue;
    const first = r.destination.toCidrs()[0].split('/')[0];
    witnesses.set(first, first);
  }
  let accepted = AddressSet.NONE;
  for (const d of witnesses.values()) {
    let remaining = AddressSet.ANY_V4;
    for (const r of relevant) {
      if (!r.destination.has(d)) continue;
      const hit = remaining.intersect(r.source);
      if (hit.isEmpty()) continue;
      if (r.target === 'ACCEPT') accepted = accepted.union(hit);
      remaining = remaining.subtract(r.source);
      if (remaining.isEmpty()) break;
    }
    if (chain.policy === 'ACCEPT') accepted = accepted.union(remaining);
  }
  return accepted;
}

export { ANY_DEST };
