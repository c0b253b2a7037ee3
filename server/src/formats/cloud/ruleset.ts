/**
 * The common shape of cloud firewall rules (AWS security groups and NACLs, Azure NSGs, GCP firewall rules),
 * whatever file wrote them, and how each cloud's evaluation order maps onto the first-match model: one chain
 * per group of rules evaluated together, `table` = the group's resource type, `chain` = its address.
 *
 * - `union` (AWS security groups): allow-only; any rule that matches admits the packet, so order is irrelevant.
 * - `ordered` (NACL rule numbers, Azure NSG priorities): lowest number first, allow and deny.
 * - `ordered-deny-first` (GCP): lowest priority first; at equal priority a deny is evaluated before an allow.
 * Every group ends in an implicit deny (the chain policy). Azure's default inbound rules are added after the
 * user's rules (AllowVnetInBound 65000, AllowAzureLoadBalancerInBound 65001; DenyAllInBound is the policy).
 */
import { AddressSet } from '../../model/addresses';
import type { Finding } from '../../model/finding';
import { PortSet } from '../../model/ports';
import type { Range } from '../../model/range';
import type { Action, Chain, Condition, PortItem, Rule, Ruleset, Table } from '../../model/ruleset';

export type Ordering = 'union' | 'ordered' | 'ordered-deny-first';

export interface CloudGroup {
  /** Resource type, e.g. aws_security_group, AWS::EC2::SecurityGroup, Microsoft.Network/networkSecurityGroups. */
  type: string;
  /** Address as the file names it: aws_security_group.web, the logical ID, the NSG name, the GCP network. */
  address: string;
  range: Range;
  ordering: Ordering;
  /** Adds Azure's default inbound rules after the user's. */
  azureDefaults?: boolean;
  /** The file names the group by an expression it cannot resolve (rules attached to an unknown group). */
  unresolved?: boolean;
}

/** A value the file computes from something not literal in the workspace: the rule says so, never guesses. */
export interface Unknown {
  text: string;
  range: Range;
}

export interface CloudRule {
  /** The rule's own address, e.g. aws_security_group_rule.ssh or nsg1/Rule3, used in messages and hovers. */
  address: string;
  range: Range;
  /** Anchor for findings about the whole rule (the block type or the access/action value). */
  actionRange: Range;
  allow: boolean;
  /** Priority or rule number (lower first); absent for union groups. */
  order?: number;
  /** `all` = every protocol (AWS -1, Azure *, GCP all); names are lower case (tcp, udp, icmp, 47 …). */
  protocols: 'all' | string[];
  protocolRange: Range;
  /** Destination ports; undefined = every port (or the protocol has none). */
  ports?: PortItem[];
  portsRange?: Range;
  /** Source addresses; `any` when the rule sets none and the cloud reads that as everywhere. */
  sources: AddressSet;
  sourcesRange: Range;
  /** Parts of the rule whose value is unknown, or conditions outside the model (destination, target tags). */
  unknowns: Unknown[];
  /** Conditions the analysis can state but not decide exactly (a destination prefix). */
  destination?: { set: AddressSet; range: Range };
  /** A rule the cloud adds by itself (Azure's default rules). */
  implied?: boolean;
}

/** Azure's VirtualNetwork tag: the VNet's own and peered address spaces; without them, the private ranges. */
export const VIRTUAL_NETWORK = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']
  .map((c) => AddressSet.parse(c)!)
  .reduce((a, b) => a.union(b));
/** Azure's AzureLoadBalancer tag: the health probe source 168.63.129.16. */
export const AZURE_LOAD_BALANCER = AddressSet.parse('168.63.129.16/32')!;

export function buildCloudRuleset(format: string, groups: CloudGroup[], rules: Map<CloudGroup, CloudRule[]>, problems: Finding[]): Ruleset {
  const tables = new Map<string, Table>();
  let id = 0;
  for (const g of groups) {
    let table = tables.get(g.type);
    if (!table) tables.set(g.type, (table = { name: g.type, family: 'both', range: g.range, chains: [] }));
    const chain: Chain = {
      name: g.address,
      table: g.type,
      family: 'both',
      hook: 'input',
      type: 'filter',
      policy: 'drop',
      range: g.range,
      declared: true,
      rules: [],
      scope: `${g.type} ${g.address}`,
      ...(g.ordering === 'union' ? { order: 'union' as const } : {}),
    };
    const own = [...(rules.get(g) ?? [])];
    if (g.ordering !== 'union') {
      const rank = (r: CloudRule) => (r.order ?? Number.MAX_SAFE_INTEGER) * 2 + (g.ordering === 'ordered-deny-first' && r.allow ? 1 : 0);
      own.sort((a, b) => rank(a) - rank(b)); // stable: equal keys keep file order
    }
    if (g.azureDefaults) own.push(...azureDefaults(g));
    for (const r of own) chain.rules.push(toRule(r, id++, g));
    table.chains.push(chain);
  }
  return { format, family: 'both', tables: [...tables.values()], problems };
}

function azureDefaults(g: CloudGroup): CloudRule[] {
  const base = {
    range: g.range,
    actionRange: g.range,
    allow: true,
    protocols: 'all' as const,
    protocolRange: g.range,
    sourcesRange: g.range,
    unknowns: [],
    implied: true,
  };
  return [
    { ...base, address: `${g.address}/AllowVnetInBound (default)`, order: 65000, sources: VIRTUAL_NETWORK },
    { ...base, address: `${g.address}/AllowAzureLoadBalancerInBound (default)`, order: 65001, sources: AZURE_LOAD_BALANCER },
  ];
}

function toRule(r: CloudRule, id: number, g: CloudGroup): Rule {
  const conditions: Condition[] = [];
  if (r.protocols !== 'all') conditions.push({ kind: 'protocol', protocols: r.protocols, negated: false, range: r.protocolRange });
  if (r.ports) {
    const set = PortSet.fromRanges(r.ports.filter((p) => p.lo <= p.hi).map((p) => [p.lo, p.hi] as const));
    conditions.push({ kind: 'dport', set, negated: false, range: r.portsRange ?? r.ports[0].range, items: r.ports });
  }
  conditions.push({ kind: 'source', set: r.sources, negated: false, range: r.sourcesRange });
  if (r.destination) conditions.push({ kind: 'destination', set: r.destination.set, negated: false, range: r.destination.range });
  for (const u of r.unknowns) conditions.push({ kind: 'opaque', text: u.text, range: u.range });
  const action: Action = { kind: r.allow ? 'accept' : 'drop', range: r.actionRange };
  return {
    id,
    range: r.range,
    table: g.type,
    chain: g.address,
    family: 'both',
    conditions,
    action,
    name: r.address,
    ...(r.implied ? { implied: true } : {}),
  };
}

/** Protocol names and numbers as clouds write them; `all` for every protocol. */
export function protocolOf(value: string | number): 'all' | string | undefined {
  const v = String(value).trim().toLowerCase();
  if (v === '-1' || v === 'all' || v === '*' || v === 'any') return 'all';
  const byNumber: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', '132': 'sctp' };
  if (byNumber[v]) return byNumber[v];
  if (/^\d{1,3}$/.test(v) && Number(v) <= 255) return v;
  if (/^(tcp|udp|icmp|icmpv6|esp|ah|sctp|gre|ipip)$/.test(v)) return v;
  return undefined;
}

/** Protocols that carry ports: only for these do port fields restrict anything. */
export function hasPorts(protocol: string): boolean {
  return protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp';
}

/** `22`, `1000-2000`, `*`: a port item, or a message saying what is wrong. */
export function portItem(text: string, range: Range): PortItem | 'all' | string {
  const t = text.trim();
  if (t === '*' || t.toLowerCase() === 'any') return 'all';
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(t);
  if (!m) return `invalid port \`${text}\`: expected a number, a range such as 1000-2000, or *`;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535) return `port \`${text}\` is out of range: ports are 0–65535`;
  return { text: t, range, lo, hi };
}
