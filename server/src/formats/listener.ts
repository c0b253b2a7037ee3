/**
 * Building blocks for the service-port formats (compose, Kubernetes, Dockerfile): a listening port becomes a
 * rule in a chain named after its resource, so the same exposure walk and checks serve them as serve firewalls.
 */
import type { AddressSet, Family } from '../model/addresses';
import { isLoopbackSet } from '../model/loopback';
import { PortSet } from '../model/ports';
import type { Range } from '../model/range';
import type { Chain, Condition, Listener, PortItem, Rule } from '../model/ruleset';

/** Where a resource's published ports arrive: the host's input path, every address unless bound. */
export function resourceChain(table: string, name: string, label: string, range: Range, published: boolean): Chain {
  return {
    name,
    table,
    family: 'both',
    ...(published ? { hook: 'input' as const } : {}),
    type: 'filter',
    range,
    declared: true,
    rules: [],
    label,
    scope: `${table}/${name}`,
  };
}

export interface ListenerSpec {
  range: Range;
  protocol: string;
  items: PortItem[];
  /** Published: reachable on the host (accepts); declared only: recorded but accepts nothing. */
  listener: Listener;
  /** Sources allowed (load balancer source ranges, policies); absent = any. */
  sources?: { set: AddressSet; range: Range };
  /** Why the rule is not exact (an unresolved variable …), shown with its findings. */
  unknown?: string[];
}

export function familyOf(set: AddressSet | undefined): Family | 'both' {
  if (!set) return 'both';
  if (set.v6.isEmpty()) return 'ipv4';
  if (set.v4.isEmpty()) return 'ipv6';
  return 'both';
}

/**
 * A rule for one listening port entry. A port bound to loopback is reachable only from the host itself,
 * which the model says the way iptables does: an input-interface `lo` test.
 */
export function listenerRule(chain: Chain, id: number, spec: ListenerSpec): Rule {
  const bound = spec.listener.bound;
  const conditions: Condition[] = [
    { kind: 'protocol', protocols: [spec.protocol], negated: false, range: spec.range },
    {
      kind: 'dport',
      set: PortSet.fromRanges(spec.items.map((i) => [i.lo, i.hi] as const)),
      negated: false,
      range: spec.range,
      items: spec.items,
    },
  ];
  if (bound && isLoopbackSet(bound))
    conditions.push({ kind: 'inInterface', name: 'lo', negated: false, range: spec.listener.boundRange ?? spec.range });
  if (spec.sources) conditions.push({ kind: 'source', set: spec.sources.set, negated: false, range: spec.sources.range });
  for (const u of spec.unknown ?? []) conditions.push({ kind: 'opaque', text: u, range: spec.range });
  if (spec.listener.anyHostPort) conditions.push({ kind: 'opaque', text: 'the host port is picked at run time', range: spec.range });
  const rule: Rule = {
    id,
    range: spec.range,
    table: chain.table,
    chain: chain.name,
    family: familyOf(bound),
    conditions,
    action: spec.listener.published ? { kind: 'accept', range: spec.range } : { kind: 'none' },
    listener: spec.listener,
  };
  chain.rules.push(rule);
  return rule;
}

/** Parses "80", "8000-8010"; undefined when it is not a port or range. */
export function parsePortRange(text: string): { lo: number; hi: number } | undefined {
  const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(text.trim());
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return { lo, hi };
}

/** Ports Docker and the kernel pick from when a host port is left open (net.ipv4.ip_local_port_range default). */
export const EPHEMERAL: readonly [number, number] = [32768, 60999];
