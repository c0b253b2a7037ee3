/**
 * Completion for nftables: commands and chain properties, rule statements and expressions, values after the
 * word that takes them (ports and services after `dport`, states after `ct state`, chains after `jump`), and
 * the document's own variables (`$`) and sets (`@`).
 */
import { allChains } from '../../model/ruleset';
import { declaredNames, portCompletions } from '../complete-ports';
import type { Completion, CompletionContext } from '../format';

type Entry = [string, string];

const TOP: Entry[] = [
  ['table', 'a table: `table inet filter { … }`'],
  ['define', 'a variable: `define web = { 80, 443 }`'],
  ['include', 'read another file'],
  ['flush ruleset', 'remove everything first (usual first line)'],
  ['add rule', 'append a rule to a chain'],
  ['add chain', 'declare a chain'],
  ['add table', 'declare a table'],
  ['add element', 'add elements to a set'],
  ['insert rule', 'insert a rule at the top of a chain'],
];
const IN_TABLE: Entry[] = [
  ['chain', 'a chain: `chain input { type filter hook input priority 0; policy drop; }`'],
  ['set', 'a named set: `set blocked { type ipv4_addr; }`'],
  ['map', 'a named map'],
  ['flowtable', 'a flowtable for fast-path forwarding'],
];
const CHAIN_PROPS: Entry[] = [
  ['type filter hook input priority 0; policy drop;', 'base chain attached to the input hook'],
  ['type', 'chain type: filter, nat or route'],
  ['policy', 'default verdict of a base chain: accept or drop'],
];
const STATEMENTS: Entry[] = [
  ['tcp dport', 'TCP destination port'],
  ['udp dport', 'UDP destination port'],
  ['th dport', 'TCP or UDP destination port (with meta l4proto)'],
  ['tcp sport', 'TCP source port'],
  ['udp sport', 'UDP source port'],
  ['ip saddr', 'IPv4 source address'],
  ['ip daddr', 'IPv4 destination address'],
  ['ip6 saddr', 'IPv6 source address'],
  ['ip6 daddr', 'IPv6 destination address'],
  ['iifname', 'input interface name'],
  ['oifname', 'output interface name'],
  ['iif', 'input interface (index; must exist when loaded)'],
  ['ct state', 'connection-tracking state: new, established, related, invalid'],
  ['meta l4proto', 'transport protocol'],
  ['ip protocol', 'IPv4 protocol'],
  ['ip6 nexthdr', 'IPv6 next header'],
  ['icmp type', 'ICMP type'],
  ['icmpv6 type', 'ICMPv6 type'],
  ['tcp flags', 'TCP flags'],
  ['limit rate', 'rate limit, e.g. `limit rate 10/second`'],
  ['counter', 'count packets and bytes'],
  ['log', 'log the packet (add `prefix "…"`)'],
  ['comment', 'a comment stored with the rule'],
  ['accept', 'verdict: let the packet through'],
  ['drop', 'verdict: discard silently (scanners see *filtered*)'],
  ['reject', 'verdict: discard with an error (scanners see *closed*)'],
  ['jump', 'continue in another chain, then come back'],
  ['goto', 'continue in another chain, without coming back'],
  ['return', 'back to the calling chain'],
  ['masquerade', 'source NAT to the outgoing address'],
  ['dnat to', 'destination NAT'],
  ['snat to', 'source NAT'],
  ['redirect to', 'redirect to a local port'],
];
const AFTER: Record<string, Entry[]> = {
  type: [
    ['filter', 'packet filtering'],
    ['nat', 'address translation'],
    ['route', 'rerouting after mangling (output hook)'],
  ],
  hook: [
    ['input', 'packets for this host'],
    ['forward', 'packets routed through this host'],
    ['output', 'packets this host sends'],
    ['prerouting', 'before routing'],
    ['postrouting', 'after routing'],
    ['ingress', 'netdev ingress'],
  ],
  policy: [
    ['drop', 'default deny'],
    ['accept', 'default allow'],
  ],
  state: [
    ['new', 'first packet of a connection'],
    ['established', 'packets of a known connection'],
    ['related', 'related to a known connection (FTP data, ICMP errors)'],
    ['invalid', 'not part of any known connection'],
    ['untracked', 'exempted from tracking'],
  ],
  l4proto: [
    ['tcp', ''],
    ['udp', ''],
    ['icmp', ''],
    ['icmpv6', ''],
    ['sctp', ''],
  ],
  protocol: [
    ['tcp', ''],
    ['udp', ''],
    ['icmp', ''],
    ['sctp', ''],
  ],
  nexthdr: [
    ['tcp', ''],
    ['udp', ''],
    ['icmpv6', ''],
  ],
  table: [
    ['inet', 'IPv4 and IPv6'],
    ['ip', 'IPv4'],
    ['ip6', 'IPv6'],
    ['netdev', 'per device'],
    ['bridge', 'bridged frames'],
    ['arp', 'ARP'],
  ],
  reject: [
    ['with icmp type admin-prohibited', 'IPv4 answer'],
    ['with icmpx type admin-prohibited', 'inet answer'],
    ['with tcp reset', 'TCP RST'],
  ],
};

const keywords = (list: Entry[], kind: Completion['kind'] = 'keyword'): Completion[] =>
  list.map(([label, detail]) => ({ label, kind, detail }));

export function completeNftables(ctx: CompletionContext): Completion[] {
  const before = ctx.before;
  const words = before.trim().split(/\s+/).filter(Boolean);
  const current = /\s$/.test(before) || !words.length ? '' : words[words.length - 1];
  const prior = current ? words.slice(0, -1) : words;
  const previous = prior[prior.length - 1] ?? '';
  // The document's own names.
  if (current.startsWith('$'))
    return declaredNames(ctx.lines, /^\s*(?:re)?define\s+([A-Za-z_][\w.-]*)/).map((n) => ({
      label: `$${n}`,
      kind: 'keyword',
      detail: 'variable (define)',
    }));
  if (current.startsWith('@'))
    return declaredNames(ctx.lines, /^\s*(?:set|map)\s+([A-Za-z_][\w.-]*)\s*\{/).map((n) => ({
      label: `@${n}`,
      kind: 'keyword',
      detail: 'named set',
    }));
  // Ports: after dport/sport, also inside `{ 22, 80, … }`.
  const portCtx = /\b(dport|sport)\s+(!=\s*)?(\{[^}]*)?$/.exec(before.slice(0, before.length - current.length));
  if (portCtx) return portCompletions(ctx, current.replace(/^[{,]/, ''), /\budp\s+(dport|sport)/.test(before) ? 'udp' : 'tcp');
  if (previous === 'jump' || previous === 'goto')
    return [
      ...new Set(
        allChains(ctx.ruleset)
          .filter((c) => !c.hook)
          .map((c) => c.name),
      ),
    ].map((label) => ({ label, kind: 'chain', detail: 'regular chain' }));
  if (AFTER[previous]) return keywords(AFTER[previous]);
  if (/\bct\s+state\s+(\S+,)*$/.test(before.slice(0, before.length - current.length))) return keywords(AFTER.state);
  const depth = braceDepth(ctx.lines, ctx.line, before);
  if (!prior.length) {
    if (depth === 0) return keywords(TOP);
    if (depth === 1) return keywords(IN_TABLE);
    return [...keywords(CHAIN_PROPS), ...keywords(STATEMENTS)];
  }
  return depth >= 2 || prior[0] === 'add' || prior[0] === 'insert' ? keywords(STATEMENTS) : [];
}

/** How many `{` are open before the cursor (comments and strings aside): 0 top level, 1 table, 2 chain. */
function braceDepth(lines: string[], line: number, before: string): number {
  let depth = 0;
  const upto = [...lines.slice(0, line), before];
  for (const raw of upto) {
    const line = raw.replace(/"[^"]*"/g, '').replace(/#.*$/, '');
    for (const ch of line) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
  }
  // Set bodies and anonymous sets also open braces; a chain statement is at depth ≥ 2.
  return Math.max(0, depth);
}
