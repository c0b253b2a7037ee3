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
  const scope = `${table}/${name}`;
  // Two literals rather than a spread of the optional hook: a spread makes a slow object, and files have hundreds.
  if (published) return { name, table, family: 'both', hook: 'input', type: 'filter', range, declared: true, rules: [], label, scope };
  return { name, table, family: 'both', type: 'filter', range, declared: true, rules: [], label, scope };
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
  const { bound, published, anyHostPort } = spec.listener;
  const { range, items } = spec;
  // One entry names one port or range: its set is made without the list a general set needs.
  const set = items.length === 1 ? PortSet.range(items[0].lo, items[0].hi) : PortSet.fromRanges(items.map((i) => [i.lo, i.hi] as const));
  const protocol: Condition = { kind: 'protocol', protocols: protocolList(spec.protocol), negated: false, range };
  const dport: Condition = { kind: 'dport', set, negated: false, range, items };
  // The list made at its length (a push onto a list of two grows it to a much larger store).
  const conditions: Condition[] =
    bound && isLoopbackSet(bound)
      ? [protocol, dport, { kind: 'inInterface', name: 'lo', negated: false, range: spec.listener.boundRange ?? range }]
      : [protocol, dport];
  if (spec.sources) conditions.push({ kind: 'source', set: spec.sources.set, negated: false, range: spec.sources.range });
  if (spec.unknown) for (const u of spec.unknown) conditions.push({ kind: 'opaque', text: u, range });
  if (anyHostPort) conditions.push({ kind: 'opaque', text: 'the host port is picked at run time', range });
  const rule: Rule = {
    id,
    range,
    table: chain.table,
    chain: chain.name,
    family: familyOf(bound),
    conditions,
    action: published ? { kind: 'accept', range } : NO_ACTION,
    listener: spec.listener,
  };
  chain.rules.push(rule);
  return rule;
}

/** Declared-only listeners accept nothing; they share one action (it holds no position). */
const NO_ACTION: Rule['action'] = { kind: 'none' };

/** One list per protocol name, shared by the rules naming it (read only). */
const protocolLists = new Map<string, string[]>();
function protocolList(p: string): string[] {
  let l = protocolLists.get(p);
  if (!l) protocolLists.set(p, (l = [p]));
  return l;
}

/** Parses "80", "8000-8010" (1–6 digits each, space around allowed); undefined when it is not a port or range. */
export function parsePortRange(text: string): { lo: number; hi: number } | undefined {
  const t = text.trim();
  const dash = t.indexOf('-');
  const lo = digits(t, 0, dash < 0 ? t.length : dash);
  if (lo === undefined) return undefined;
  if (dash < 0) return { lo, hi: lo };
  const hi = digits(t, dash + 1, t.length);
  return hi === undefined ? undefined : { lo, hi };
}

/** The number written by t[from, to) when that is 1–6 ASCII digits. */
function digits(t: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 6) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

/** Ports Docker and the kernel pick from when a host port is left open (net.ipv4.ip_local_port_range default). */
export const EPHEMERAL: readonly [number, number] = [32768, 60999];
