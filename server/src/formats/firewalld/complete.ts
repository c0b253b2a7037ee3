/**
 * Completion for firewalld XML: the elements a zone, service or policy may hold (and a rich rule's children),
 * each element's attributes, and attribute values — firewalld's own service names (common ones first),
 * protocols, targets and families.
 */
import type { Completion, CompletionContext } from '../format';
import { portCompletions } from '../complete-ports';
import { standardServiceNames, standardServicePorts } from './services';

type Entry = [string, string];

const ZONE_CHILDREN: Entry[] = [
  ['short', 'a short name'],
  ['description', 'what the zone is for'],
  ['service', 'allow a predefined service: `<service name="ssh"/>`'],
  ['port', 'allow a port: `<port port="8080" protocol="tcp"/>`'],
  ['protocol', 'allow an IP protocol'],
  ['source', 'bind source networks to the zone'],
  ['interface', 'bind an interface to the zone'],
  ['rule', 'a rich rule'],
  ['masquerade', 'masquerade outgoing traffic'],
  ['forward', 'intra-zone forwarding'],
  ['forward-port', 'forward a port'],
  ['source-port', 'allow by source port'],
  ['icmp-block', 'block an ICMP type'],
  ['icmp-block-inversion', 'invert ICMP blocks'],
];
const RULE_CHILDREN: Entry[] = [
  ['source', 'match the source: `<source address="10.0.0.0/8"/>`'],
  ['destination', 'match the destination'],
  ['service', 'match a service'],
  ['port', 'match a port'],
  ['protocol', 'match a protocol'],
  ['icmp-block', ''],
  ['masquerade', ''],
  ['forward-port', ''],
  ['log', 'log matches'],
  ['audit', 'audit matches'],
  ['accept', 'verdict: accept'],
  ['reject', 'verdict: reject'],
  ['drop', 'verdict: drop'],
  ['mark', 'mark packets'],
];
const ATTRIBUTES: Record<string, Entry[]> = {
  zone: [
    ['target', 'what happens to packets no element accepts'],
    ['version', ''],
  ],
  service: [['name', 'a firewalld service name']],
  port: [
    ['port', 'a port or range, e.g. 8000-8080'],
    ['protocol', 'tcp, udp, sctp or dccp'],
  ],
  'source-port': [
    ['port', ''],
    ['protocol', ''],
  ],
  protocol: [['value', 'an IP protocol name']],
  source: [
    ['address', 'a network, e.g. 192.168.1.0/24'],
    ['mac', ''],
    ['ipset', 'an ipset name'],
    ['invert', 'not these sources'],
  ],
  destination: [
    ['address', ''],
    ['ipset', ''],
    ['invert', ''],
  ],
  interface: [['name', 'an interface name']],
  rule: [
    ['family', 'ipv4 or ipv6'],
    ['priority', 'order among rich rules'],
  ],
  'forward-port': [
    ['port', ''],
    ['protocol', ''],
    ['to-port', ''],
    ['to-addr', ''],
  ],
  reject: [['type', 'ICMP error type to answer with']],
  log: [
    ['prefix', ''],
    ['level', ''],
  ],
};
const VALUES: Record<string, Entry[]> = {
  protocol: [
    ['tcp', ''],
    ['udp', ''],
    ['sctp', ''],
    ['dccp', ''],
  ],
  target: [
    ['default', 'reject what no element accepts'],
    ['ACCEPT', 'accept everything'],
    ['DROP', 'drop what no element accepts'],
    ['%%REJECT%%', 'reject what no element accepts'],
  ],
  family: [
    ['ipv4', ''],
    ['ipv6', ''],
  ],
  invert: [['true', '']],
};

const entries = (list: Entry[]): Completion[] => list.map(([label, detail]) => ({ label, kind: 'keyword', detail }));

export function completeFirewalld(ctx: CompletionContext): Completion[] {
  const before = ctx.before;
  // Inside an attribute value: <service name="ss|
  const value = /<([\w-]+)\b[^<>]*?\s([\w-]+)="([^"]*)$/.exec(before);
  if (value) {
    const [, element, attr, typed] = value;
    if (element === 'service' && attr === 'name') return serviceNames(typed, ctx.commonRank);
    if ((element === 'port' || element === 'source-port' || element === 'forward-port') && attr === 'port')
      return portCompletions(ctx, typed).map((c) => ({ ...c, label: String(c.ports![0].port) })); // the attribute takes numbers only
    return entries(VALUES[attr] ?? []);
  }
  // Inside a start tag, after its name: attributes.
  const tag = /<([\w-]+)\s+(?:[\w-]+="[^"]*"\s+)*[\w-]*$/.exec(before);
  if (tag) return (ATTRIBUTES[tag[1]] ?? []).map(([label, detail]) => ({ label, kind: 'option', detail, insertText: `${label}="` }));
  // After `<`: the elements the enclosing element may hold.
  if (/<[\w-]*$/.test(before)) return entries(insideRule(ctx.lines, ctx.line, before) ? RULE_CHILDREN : ZONE_CHILDREN);
  return [];
}

/** Whether the cursor sits inside an open `<rule>` element. */
function insideRule(lines: string[], line: number, before: string): boolean {
  const text = [...lines.slice(0, line), before].join('\n');
  return text.lastIndexOf('<rule') > text.lastIndexOf('</rule>');
}

function serviceNames(typed: string, commonRank: CompletionContext['commonRank']): Completion[] {
  return standardServiceNames()
    .filter((n) => n.startsWith(typed))
    .sort((a, b) => commonRank(a) - commonRank(b) || a.localeCompare(b))
    .map((name): Completion => {
      const ports = standardServicePorts(name);
      const parsed = ports.flatMap((p) => {
        const m = /^(\d+)(?:-(\d+))?\/(\w+)$/.exec(p);
        return m ? [{ port: Number(m[1]), hi: Number(m[2] ?? m[1]), protocol: m[3] }] : [];
      });
      return { label: name, kind: 'service', detail: ports.join(', ') || 'no ports (helpers or protocols only)', ports: parsed };
    });
}
