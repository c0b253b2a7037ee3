import type { AddressSet, Family } from './addresses';
import type { PortSet } from './ports';
import type { Range } from './range';
import type { Finding } from './finding';

/** Transport and other IP protocols by their usual names ("tcp", "udp", "icmp", "47" …). */
export type Protocol = string;

/** Connection-tracking states a rule can test. */
export type ConnState = 'new' | 'established' | 'related' | 'invalid' | 'untracked' | 'snat' | 'dnat';

export type CtDirection = 'original' | 'reply';

export interface PortItem {
  /** The token as written, e.g. "22", "1000:2000", "ssh". */
  text: string;
  range: Range;
  lo: number;
  hi: number;
  /** Set when the token was a service name resolved through the registry. */
  service?: string;
}

/** One test a rule makes; a rule matches when all its conditions hold. */
export type Condition =
  | { kind: 'protocol'; protocols: Protocol[]; negated: boolean; range: Range }
  /**
   * `unresolved`: names whose addresses are decided outside the file (host names, tables filled at run time,
   * interface addresses). `local`: every such name stands for this host's own interfaces or the networks attached
   * to them (pf `em0:network`, `(em0)`, `self`), so never for the internet at large.
   */
  | { kind: 'source' | 'destination'; set: AddressSet; negated: boolean; range: Range; unresolved?: string[]; local?: boolean }
  | { kind: 'inInterface' | 'outInterface'; name: string; negated: boolean; range: Range }
  /** `port` matches when either the source or the destination port is in the set (multiport --ports). */
  | { kind: 'dport' | 'sport' | 'port'; set: PortSet; negated: boolean; range: Range; items: PortItem[] }
  | { kind: 'state'; states: ConnState[]; negated: boolean; range: Range }
  /**
   * A test on the connection-tracking entry's original or reply tuple (`-m conntrack --ctorigdstport`, nft
   * `ct original proto-dst`). For a new connection the original tuple is the first packet as it arrived (before
   * any NAT) and the reply tuple is the original one reversed after NAT; analysis maps each onto the packet.
   */
  | { kind: 'ctTuple'; direction: CtDirection; field: 'source' | 'destination'; set: AddressSet; negated: boolean; range: Range }
  | { kind: 'ctTuple'; direction: CtDirection; field: 'sport' | 'dport'; set: PortSet; negated: boolean; range: Range; items: PortItem[] }
  | { kind: 'ctTuple'; direction: CtDirection; field: 'protocol'; protocols: Protocol[]; negated: boolean; range: Range }
  /** A TCP flags test; `syn` is true when the test selects connection-opening SYN packets. */
  | { kind: 'tcpFlags'; syn: boolean; negated: boolean; range: Range }
  /** Any condition the model cannot express exactly (rate limits, marks, ipsets, time …). */
  | { kind: 'opaque'; text: string; range: Range };

export type Action =
  | { kind: 'accept' | 'drop' | 'reject' | 'return'; range: Range }
  | { kind: 'jump' | 'goto'; chain: string; range: Range }
  /**
   * Destination NAT of a new connection (DNAT, REDIRECT, nft `dnat`/`redirect`): ends the NAT chain and rewrites
   * the destination. `toPorts` is the new destination port range (absent: unchanged); `toAddress` the new address
   * as written (absent: unchanged; REDIRECT means this host).
   */
  | { kind: 'dnat'; toPorts?: [number, number]; toAddress?: string; redirect: boolean; range: Range }
  /** Exempts the packet from connection tracking (`-j CT --notrack`, nft `notrack`); evaluation goes on. */
  | { kind: 'notrack'; range: Range }
  /** Non-terminating (log, counter, mark): evaluation goes on with the next rule. */
  | { kind: 'continue'; target: string; range: Range }
  /** Terminating with a verdict outside the filter model (NAT, queue to user space …). */
  | { kind: 'other'; target: string; range: Range }
  /** The rule has no target: it only counts packets. */
  | { kind: 'none' };

export interface Rule {
  /** Index of the rule within its ruleset, stable for one parse. */
  id: number;
  range: Range;
  table: string;
  chain: string;
  family: Family | 'both';
  conditions: Condition[];
  action: Action;
  comment?: string;
  /** In a last-match chain: the rule decides at once when it matches (pf `quick`, `set skip`). */
  final?: boolean;
  /** Where the rule names its chain (`-A INPUT …`, `add rule inet f input …`), when it does. */
  chainRange?: Range;
  /** The rule's own address where rules are named resources (aws_security_group_rule.ssh, nsg1/Rule3). */
  name?: string;
}

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress';

export interface Chain {
  name: string;
  table: string;
  family: Family | 'both';
  /** Base chains are attached to a netfilter hook; user chains are reached only by jumps. */
  hook?: Hook;
  type: 'filter' | 'nat' | 'route' | 'other';
  /**
   * Order among the base chains of one hook (netfilter priority: raw -300, conntrack -200, mangle -150, dstnat
   * -100, filter 0, security 50, srcnat 100); lower runs first. Absent on user chains.
   */
  priority?: number;
  /** Default verdict of a base chain when no rule decides. */
  policy?: 'accept' | 'drop';
  policyRange?: Range;
  /** Where the chain is declared (or first used when never declared). */
  range: Range;
  declared: boolean;
  rules: Rule[];
  /**
   * What the chain protects, when a file describes several independent things (one cloud security group or
   * NSG each): chains of different scopes are separate packet paths. Host firewalls leave it unset (one host).
   */
  scope?: string;
  /** How messages name the chain when "chain <name>" would mislead, e.g. "zone public" (firewalld). */
  label?: string;
  /**
   * How the file's own rule order decides. `rules` is always in first-match order (the order the analysis
   * walks); a `last-match` chain (pf) was reordered from a file where the last matching rule wins unless a
   * `final` rule matches first, so advice about moving rules must be given in the file's terms. In a `union`
   * chain (an AWS security group) every rule allows and order means nothing.
   */
  order?: 'first-match' | 'last-match' | 'union';
}

export interface Table {
  name: string;
  family: Family | 'both';
  range: Range;
  chains: Chain[];
}

export interface Ruleset {
  /** Format id, which is also the LSP language id (e.g. "iptables"). */
  format: string;
  family: Family | 'both';
  tables: Table[];
  /** Syntax problems found while parsing. */
  problems: Finding[];
}

export function allChains(rs: Ruleset): Chain[] {
  return rs.tables.flatMap((t) => t.chains);
}

export function allRules(rs: Ruleset): Rule[] {
  return allChains(rs).flatMap((c) => c.rules);
}

/** "zone public", "chain INPUT": how a message names a chain. */
export function chainLabel(chain: Chain): string {
  return chain.label ?? `chain ${chain.name}`;
}

export function findChain(rs: Ruleset, table: string, name: string): Chain | undefined {
  return rs.tables.find((t) => t.name === table)?.chains.find((c) => c.name === name);
}
